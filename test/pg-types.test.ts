import test from 'ava';
import fc from 'fast-check';
import pg from 'pg';
import { Todo } from '../src/models/todo.js';
import { User } from '../src/models/user.js';
import { timestamptzToIso } from '../src/db/pg-types.js';
import { createTestDatabase } from './helpers/database.js';

const pgParse = pg.types.getTypeParser(1184, 'text') as (text: string) => Date;

/** How PostgreSQL prints a timestamptz in a UTC session: microseconds, trailing zeros trimmed. */
function postgresText(date: Date, micros: number): string {
  const iso = date.toISOString();
  const fraction = `${String(date.getUTCMilliseconds()).padStart(3, '0')}${String(micros).padStart(3, '0')}`.replace(
    /0+$/,
    '',
  );
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
}

test('a UTC timestamptz becomes the string Date#toISOString gives for it', (t) => {
  t.is(timestamptzToIso('2026-12-01 04:51:21.123456+00'), '2026-12-01T04:51:21.123Z');
  t.is(timestamptzToIso('2026-12-01 04:51:21.1+00'), '2026-12-01T04:51:21.100Z');
  t.is(timestamptzToIso('2026-12-01 04:51:21+00'), '2026-12-01T04:51:21.000Z');
});

test('the fast path agrees with pg’s own parser on any year-1000-to-9999 instant', (t) => {
  const instant = fc.date({
    min: new Date('1000-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  fc.assert(
    fc.property(instant, fc.integer({ min: 0, max: 999 }), (date, micros) => {
      const text = postgresText(date, micros);
      return timestamptzToIso(text) === pgParse(text).toISOString();
    }),
  );
  t.pass('fast-check found no counterexample');
});

test('other offsets, BC dates and infinity fall back to pg’s parser instead of being misread', (t) => {
  t.is(timestamptzToIso('2026-12-01 01:51:21.5-03'), '2026-12-01T04:51:21.500Z');
  t.is(timestamptzToIso('2026-12-01 10:21:21+05:30'), '2026-12-01T04:51:21.000Z');
  t.is(timestamptzToIso('0044-03-15 12:00:00+00 BC'), pgParse('0044-03-15 12:00:00+00 BC').toISOString());
  t.is(timestamptzToIso('infinity'), 'infinity');
});

test.serial('rows read the same instant whatever time zone the database defaults to', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  await database.db.raw(`alter database ${database.name} set timezone to 'America/Sao_Paulo'`);
  await database.db.destroy();
  database.db.initialize();
  const user = await User.query().insert({ username: 'tz', email: 'tz@test.com', password: 'x' }).returning('*');
  await Todo.query().insert({ title: 't', description: 'd', state: 'todo', user_id: user.id });
  const [todo] = await Todo.query().where('user_id', user.id);
  // PostgreSQL's own rendering of the same instant in UTC, milliseconds truncated like Date's.
  const { rows } = await database.db.raw<{ rows: { utc: string }[] }>(
    `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as utc from todos where id = ?`,
    [todo!.id],
  );
  t.is(todo!.created_at, rows[0]!.utc);
  // Sessions still run in UTC, so timestamps take the fast path above.
  const shown = await database.db.raw<{ rows: { TimeZone: string }[] }>('show timezone');
  t.is(shown.rows[0]!.TimeZone, 'UTC');
});
