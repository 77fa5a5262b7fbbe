import pg from 'pg';
import { SMALL_USER_TODOS } from './options.js';

export const PASSWORD = 'bench-password';
const OTHER_USER_TODOS = 10;

export interface SeedUser {
  readonly id: number;
  readonly email: string;
  /** The user's todo ids run from firstTodoId to lastTodoId without gaps. */
  readonly firstTodoId: number;
  readonly lastTodoId: number;
}

export interface Seeded {
  readonly big: SeedUser;
  readonly small: SeedUser;
  readonly totalTodos: number;
  readonly seconds: number;
}

// Titles are "<verb> <noun> #<n>": a noun appears in 1 of NOUNS.length titles,
// which is what the common-word search finds.
const VERBS = [
  'buy',
  'call',
  'write',
  'fix',
  'review',
  'plan',
  'clean',
  'book',
  'send',
  'read',
  'pay',
  'check',
  'renew',
];
const NOUNS = [
  'milk',
  'bread',
  'invoice',
  'report',
  'garden',
  'dentist',
  'flight',
  'letter',
  'taxes',
  'kitchen',
  'bike',
  'laptop',
  'slides',
  'budget',
  'contract',
  'garage',
  'passport',
  'insurance',
  'tickets',
  'birthday',
  'meeting',
  'newsletter',
  'roof',
  'window',
  'printer',
  'library',
  'recipe',
  'vacation',
  'backup',
  'server',
  'license',
  'wardrobe',
  'paint',
  'fence',
  'charger',
  'blender',
  'camera',
  'guitar',
  'piano',
  'tutor',
  'plumber',
  'electrician',
  'mechanic',
  'vet',
  'pharmacy',
  'groceries',
  'laundry',
  'mortgage',
  'pension',
  'gym',
  'yoga',
  'thesis',
  'podcast',
];
export const COMMON_TITLE_SEARCH = 'invoice';
/** Five hex digits of an md5: about 28 / 16^5 of descriptions, i.e. ~27 rows per million. */
export const RARE_DESCRIPTION_SEARCH = 'c0ffe';

/**
 * One INSERT … SELECT over generate_series: rows are built inside PostgreSQL
 * from the row number alone, so every run with the same sizes has the same
 * data, and a million rows cost one statement, not a million requests.
 */
async function insertTodos(client: pg.Client, userIds: string, todosEach: number): Promise<void> {
  await client.query(
    `insert into todos (title, description, state, user_id)
     select ($1::text[])[1 + (i * 7) % cardinality($1::text[])] || ' ' ||
              ($2::text[])[1 + (i * 31) % cardinality($2::text[])] || ' #' || i,
            'notes for todo ' || i || ', ref ' || md5(i::text),
            ($3::todo_state[])[1 + i % 5],
            u.id
       from (${userIds}) as u(id), generate_series(1, $4::int) as i
      order by u.id, i`,
    [VERBS, NOUNS, ['draft', 'todo', 'doing', 'done', 'trash'], todosEach],
  );
}

async function describeUser(client: pg.Client, email: string): Promise<SeedUser> {
  const { rows } = await client.query<{ id: number; first: number; last: number }>(
    `select u.id, min(t.id) as first, max(t.id) as last
       from users u join todos t on t.user_id = u.id where u.email = $1 group by u.id`,
    [email],
  );
  const row = rows[0];
  if (!row) throw new Error(`seeding did not create ${email}`);
  return { id: row.id, email, firstTodoId: row.first, lastTodoId: row.last };
}

/**
 * Replaces the bench users (username bench-*) and their todos: a big user
 * with `todos` todos, a small one with SMALL_USER_TODOS, and `users` others
 * with a few each. Every user's password is PASSWORD, hashed once.
 */
export async function seed(
  url: string,
  sizes: { todos: number; users: number },
  passwordHash: string,
): Promise<Seeded> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('set statement_timeout = 0');
    // A throwaway data set: losing the last commits in a crash costs nothing.
    await client.query('set synchronous_commit = off');
    await client.query(`delete from users where username like 'bench-%'`);
    await client.query(
      `insert into users (username, email, password)
       select name, name || '@bench.test', $1
         from unnest(array['bench-big', 'bench-small']
                     || array(select 'bench-user-' || i from generate_series(1, $2::int) as i)) as name`,
      [passwordHash, sizes.users],
    );
    await insertTodos(client, `select id from users where username = 'bench-big'`, sizes.todos);
    await insertTodos(client, `select id from users where username = 'bench-small'`, SMALL_USER_TODOS);
    await insertTodos(client, `select id from users where username like 'bench-user-%'`, OTHER_USER_TODOS);
    // Fresh statistics and visibility map, as a table that has lived a while would have.
    await client.query('vacuum (analyze) users');
    await client.query('vacuum (analyze) todos');
    const { rows } = await client.query<{ n: string }>('select count(*) as n from todos');
    return {
      big: await describeUser(client, 'bench-big@bench.test'),
      small: await describeUser(client, 'bench-small@bench.test'),
      totalTodos: Number(rows[0]?.n ?? 0),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.end();
  }
}
