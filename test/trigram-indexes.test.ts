import test from 'ava';
import { ExtensionlessMigrationSource } from '../src/db/migration-source.js';
import { migrateLatest, migrationConfig } from '../src/db/migrator.js';
import { Todo } from '../src/models/todo.js';
import { User } from '../src/models/user.js';
import { createTestDatabase } from './helpers/database.js';

// Serial: createDb binds Objection's one global knex, so these tests must not overlap.

const TRIGRAM_MIGRATION = '20261201000200_todos_trigram_indexes';

const trigramIndexes = async (db: import('knex').Knex) =>
  (
    await db.raw<{ rows: { name: string; valid: boolean; definition: string }[] }>(
      `select c.relname as name, i.indisvalid as valid, pg_get_indexdef(i.indexrelid) as definition
         from pg_index i join pg_class c on c.oid = i.indexrelid
        where i.indrelid = 'todos'::regclass and pg_get_indexdef(i.indexrelid) like '%gin_trgm_ops%'
        order by c.relname`,
    )
  ).rows;

test.serial('after migrate, todos.title and todos.description have valid GIN trigram indexes', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const indexes = await trigramIndexes(database.db);
  t.deepEqual(
    indexes.map(({ name, valid }) => ({ name, valid })),
    [
      { name: 'todos_description_trgm_index', valid: true },
      { name: 'todos_title_trgm_index', valid: true },
    ],
  );
  t.true(indexes.every(({ definition }) => definition.includes('USING gin')));
});

test.serial('the trigram migration runs outside a transaction, as CREATE INDEX CONCURRENTLY requires', async (t) => {
  const source = new ExtensionlessMigrationSource();
  const migration = (await source.getMigrations()).find((m) => source.getMigrationName(m) === TRIGRAM_MIGRATION);
  t.truthy(migration);
  // knex reads `config.transaction` off what the source returns.
  const loaded = (await source.getMigration(migration!)) as { config?: { transaction?: boolean } };
  t.is(loaded.config?.transaction, false);
});

test.serial('rolling back the trigram migration drops its indexes; searching still works without them', async (t) => {
  const database = await createTestDatabase({ migrated: false });
  t.teardown(() => database.drop());
  await migrateLatest(database);
  const [, undone] = (await database.db.migrate.down({ ...migrationConfig(), name: TRIGRAM_MIGRATION })) as [
    number,
    string[],
  ];
  t.deepEqual(undone, [TRIGRAM_MIGRATION]);
  t.deepEqual(await trigramIndexes(database.db), []);
  const user = await User.query().insert({ username: 'u', email: 'u@test.com', password: 'hash' }).returning('*');
  await Todo.query().insert({ title: '100% done', description: 'd', state: 'todo', user_id: user.id });
  await Todo.query().insert({ title: '1000 done', description: 'd', state: 'todo', user_id: user.id });
  const found = await Todo.query().modify('ownedBy', user.id).modify('matching', { title: '0% d' });
  t.deepEqual(
    found.map((todo) => todo.title),
    ['100% done'],
  );
});

test.serial('with the trigram indexes, % and _ in a search still match only themselves', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const user = await User.query().insert({ username: 'v', email: 'v@test.com', password: 'hash' }).returning('*');
  for (const title of ['a_b task', 'axb task', '50% off', '500 off']) {
    await Todo.query().insert({ title, description: 'd', state: 'todo', user_id: user.id });
  }
  // Force the planner onto the trigram index, so this checks the indexed path, not a row filter.
  const titles = (filter: string) =>
    database.db.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      await trx.raw('set local enable_indexscan = off');
      return (await Todo.query(trx).modify('ownedBy', user.id).modify('matching', { title: filter })).map(
        (todo) => todo.title,
      );
    });
  t.deepEqual(await titles('a_b'), ['a_b task']);
  t.deepEqual(await titles('0% o'), ['50% off']);
});
