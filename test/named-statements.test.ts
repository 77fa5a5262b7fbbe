/**
 * src/db/named-statements.ts: builder queries run as named prepared
 * statements, one name per SQL text, and survive a migration that changes
 * the table under a prepared `select *`.
 */
import test from 'ava';
import knexFactory, { type Knex } from 'knex';
import { createDb, knexConfig } from '../src/db/connection.js';
import { namedStatementsClient } from '../src/db/named-statements.js';
import { Todo } from '../src/models/todo.js';
import { createTestDatabase } from './helpers/database.js';

const database = createTestDatabase();
test.after.always(async () => (await database).drop());

/** A pool of one connection, so every query sees the statements the previous ones prepared. */
async function oneConnection(options: { preparedStatements?: boolean; maxStatements?: number } = {}): Promise<Knex> {
  const { url } = await database;
  const pool = { url, poolMax: 1, statementTimeoutMs: 10_000, acquireTimeoutMs: 5_000 };
  if (options.maxStatements === undefined) return createDb({ ...pool, preparedStatements: options.preparedStatements });
  return knexFactory({ ...knexConfig(pool), client: namedStatementsClient(options.maxStatements) });
}

const prepared = async (db: Knex) =>
  (await db.raw<{ rows: { name: string; statement: string }[] }>('select name, statement from pg_prepared_statements'))
    .rows;

test('a builder query is prepared once under one name, and run again by it', async (t) => {
  const db = await oneConnection();
  t.teardown(() => db.destroy());
  await db('users').where('id', 1);
  await db('users').where('id', 2);
  await db('todos').where('user_id', 1).orderBy('id').limit(5);
  const statements = await prepared(db);
  t.deepEqual(
    statements.map((s) => s.statement),
    [`select * from "users" where "id" = $1`, `select * from "todos" where "user_id" = $1 order by "id" asc limit $2`],
  );
  t.true(statements.every((s) => /^fz_\d+$/.test(s.name)));
  t.is(new Set(statements.map((s) => s.name)).size, 2);
});

test('searches (PLANNED_PER_VALUE) stay unnamed: planned for their own pattern, never with a generic plan', async (t) => {
  const db = await oneConnection();
  t.teardown(() => db.destroy());
  const paging = { offset: 0, limit: 10 };
  const page = (filter: object) =>
    Todo.query(db).modify('public').modify('ownedBy', 1).modify('matching', filter).modify('paged', paging);
  for (let run = 0; run < 6; run++) await Promise.all([page({}), page({ title: 'abc' })]);
  const statements = (await prepared(db)).map((s) => s.statement);
  t.true(
    statements.some((sql) => sql.includes('"user_id" = $1 order by')),
    'the plain list is named',
  );
  t.false(
    statements.some((sql) => sql.includes(' like ')),
    'no search is',
  );
});

test('DB_PREPARED_STATEMENTS=0 (preparedStatements: false): nothing is prepared', async (t) => {
  const db = await oneConnection({ preparedStatements: false });
  t.teardown(() => db.destroy());
  await db('users').where('id', 1);
  t.deepEqual(await prepared(db), []);
});

test('raw queries stay unnamed, and past maxStatements texts further SQL runs unnamed', async (t) => {
  const db = await oneConnection({ maxStatements: 1 });
  t.teardown(() => db.destroy());
  await db.raw('select 1');
  await db('users').where('id', 1);
  t.deepEqual((await db('users').where('email', 'x@example.com')).length, 0, 'the second text still runs');
  t.deepEqual(
    (await prepared(db)).map((s) => s.statement),
    [`select * from "users" where "id" = $1`],
  );
});

test('a column added under a prepared select * (a migration by another replica): prepared again, not an error', async (t) => {
  const db = await oneConnection();
  t.teardown(() => db.destroy());
  await db.schema.createTable('plan_change', (table) => {
    table.increments('id');
    table.text('name');
  });
  await db('plan_change').insert({ name: 'a' });
  t.deepEqual(await db('plan_change').where('id', 1), [{ id: 1, name: 'a' }]);
  await db.schema.alterTable('plan_change', (table) => table.text('added').defaultTo('new'));
  t.deepEqual(await db('plan_change').where('id', 1), [{ id: 1, name: 'a', added: 'new' }]);
});

test('the same inside a transaction: the transaction fails, and its connection is not lent again', async (t) => {
  const db = await oneConnection();
  t.teardown(() => db.destroy());
  await db.schema.createTable('plan_change_tx', (table) => table.increments('id'));
  await db('plan_change_tx').insert({});
  await db('plan_change_tx').where('id', 1);
  await db.schema.alterTable('plan_change_tx', (table) => table.text('added').defaultTo('new'));
  const error = await t.throwsAsync(db.transaction((trx) => trx('plan_change_tx').where('id', 1)));
  t.regex(error?.message ?? '', /cached plan must not change result type/);
  t.deepEqual(await db('plan_change_tx').where('id', 1), [{ id: 1, added: 'new' }], 'a fresh connection');
});
