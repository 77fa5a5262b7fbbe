import test from 'ava';

// Serial: createDb binds Objection's one global knex, so these tests must not overlap.
import { ExtensionlessMigrationSource } from '../src/db/migration-source.js';
import {
  migrateLatest,
  migrateRollback,
  migrationDb,
  pendingMigrations,
  unknownMigrations,
} from '../src/db/migrator.js';
import { Todo } from '../src/models/todo.js';
import { User } from '../src/models/user.js';
import { createTestDatabase } from './helpers/database.js';
import { writtenMigrations } from './helpers/migration-files.js';

test.serial('create a user in the database: id and timestamps are set by PostgreSQL (test_db)', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const user = await User.query()
    .insert({ username: 'alice', email: 'alice@test.com', password: 'hash' })
    .returning('*');
  t.true(Number.isInteger(user.id));
  t.regex(user.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  t.is(user.created_at, user.updated_at);
});

test.serial('updated_at is owned by the model: it moves on update, created_at does not', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const user = await User.query().insert({ username: 'bob', email: 'bob@test.com', password: 'hash' }).returning('*');
  const { created_at: createdBefore, updated_at: updatedBefore } = user;
  await new Promise((resolve) => setTimeout(resolve, 10));
  await User.query().findById(user.id).patch({ username: 'bobby' });
  const updated = await User.query().findById(user.id);
  t.is(updated?.created_at, createdBefore);
  t.true(Date.parse(updated?.updated_at ?? '') > Date.parse(updatedBefore));
});

test.serial('deleting a user cascades to their todos, and only theirs', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const [a, b] = await User.query()
    .insert([
      { username: 'a', email: 'a@test.com', password: 'x' },
      { username: 'b', email: 'b@test.com', password: 'x' },
    ])
    .returning('*');
  await Todo.query().insert([
    { title: 't', description: 'd', state: 'todo', user_id: a!.id },
    { title: 't', description: 'd', state: 'todo', user_id: b!.id },
  ]);
  await User.query().deleteById(a!.id);
  t.deepEqual(
    (await Todo.query()).map((todo) => todo.user_id),
    [b!.id],
  );
});

test.serial('the state column is a PostgreSQL enum that refuses other values', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const [user] = await User.query()
    .insert([{ username: 'c', email: 'c@test.com', password: 'x' }])
    .returning('*');
  await t.throwsAsync(database.db('todos').insert({ title: 't', description: 'd', state: 'nope', user_id: user!.id }), {
    message: /invalid input value for enum todo_state/,
  });
});

test.serial('migrations: latest on an empty database, rollback --all, latest again', async (t) => {
  const database = await createTestDatabase({ migrated: false });
  t.teardown(() => database.drop());
  const applied = await migrateLatest(database);
  t.true(applied.length >= 2);
  t.deepEqual(await pendingMigrations(database.db), []);
  t.deepEqual(await migrateLatest(database), [], 'a second run is a no-op');
  const undone = await migrateRollback(database, true);
  t.deepEqual([...undone].sort(), [...applied].sort());
  t.false(await database.db.schema.hasTable('users'));
  t.deepEqual(await migrateLatest(database), applied);
});

test.serial('migration names are recorded without extension, so .ts and .js builds agree', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const recorded = (await database.db('knex_migrations').select('name').orderBy('id')).map(
    (row: { name: string }) => row.name,
  );
  t.deepEqual(recorded, await writtenMigrations());
  t.true(recorded.every((name) => !/\.(ts|js)$/.test(name)));
  const source = new ExtensionlessMigrationSource();
  t.deepEqual(
    (await source.getMigrations()).map((m) => source.getMigrationName(m)),
    recorded,
  );
});

test.serial('four migrators started at once on an empty database apply each migration exactly once', async (t) => {
  const database = await createTestDatabase({ migrated: false });
  t.teardown(() => database.drop());
  const results = await Promise.all(Array.from({ length: 4 }, () => migrateLatest({ url: database.url })));
  const written = await writtenMigrations();
  t.is(results.flat().length, written.length, 'each migration applied by exactly one migrator');
  t.is(Number((await database.db('knex_migrations').count({ n: '*' }))[0]?.n), written.length);
  t.is(Number((await database.db('knex_migrations_lock').count({ n: '*' }))[0]?.n), 1);
});

test.serial('migrations run without the request statement timeout, which would cancel long index builds', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const requestTimeout = await database.db.raw<{ rows: { statement_timeout: string }[] }>('show statement_timeout');
  t.is(requestTimeout.rows[0]?.statement_timeout, '10s');
  const migrator = migrationDb(database);
  t.teardown(() => migrator.destroy());
  const { rows } = await migrator.raw<{ rows: { statement_timeout: string }[] }>('show statement_timeout');
  t.is(rows[0]?.statement_timeout, '0');
});

test.serial(
  'an older release on a newer schema: latest applies nothing and fails nothing; the extra migration is reported',
  async (t) => {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    const future = '29991231000000_from_a_newer_release';
    await database.db('knex_migrations').insert({ name: future, batch: 99, migration_time: new Date() });
    t.deepEqual(await migrateLatest(database), []);
    t.deepEqual(await pendingMigrations(database.db), []);
    t.deepEqual(await unknownMigrations(database.db), [future]);
  },
);
