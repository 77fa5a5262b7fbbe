/**
 * The API behind a real PgBouncer in transaction mode (Debian's package):
 * requests go through PgBouncer, which shares a few server connections
 * between all the API's client connections; migrations go to PostgreSQL
 * directly (MIGRATIONS_DATABASE_URL), since their advisory lock is a session
 * lock that transaction pooling cannot keep.
 */
import { readdir } from 'node:fs/promises';
import anyTest, { type TestFn } from 'ava';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import pg from 'pg';
import { ENV, withAdmin } from './helpers/test-cluster.js';
import { pgbouncerVersion, startPgBouncer, type PgBouncer } from './helpers/pgbouncer.js';
import { spawnServer, stopServer, type ServerProcess } from './helpers/server-process.js';

const test = anyTest as TestFn<{ database: TestDatabase; bouncer: PgBouncer; server: ServerProcess }>;

// Fewer server connections than the API's pool: only transaction pooling lets them all work.
const SERVER_CONNECTIONS = 2;
const STATEMENT_TIMEOUT_MS = 7_000;

test.before(async (t) => {
  t.context.database = await createTestDatabase({ migrated: false });
  // PgBouncer 1.18 refuses the startup parameters the API sends for its session
  // settings (statement_timeout, options=-c TimeZone=UTC): it is told to ignore
  // them, and the database gives every session the same values instead
  // (docs/deploy.md; in production ALTER ROLE the API's role).
  await withAdmin(process.env[ENV.adminUrl]!, async (client) => {
    const name = client.escapeIdentifier(t.context.database.name);
    await client.query(`alter database ${name} set statement_timeout = '${STATEMENT_TIMEOUT_MS}ms'`);
    await client.query(`alter database ${name} set timezone = 'UTC'`);
  });
  t.context.bouncer = await startPgBouncer(t.context.database.url, {
    poolSize: SERVER_CONNECTIONS,
    ignoreStartupParameters: ['options', 'statement_timeout'],
  });
  t.context.server = spawnServer({
    DATABASE_URL: t.context.bouncer.url,
    MIGRATIONS_DATABASE_URL: t.context.database.url,
    DB_POOL_MAX: '10',
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    // PgBouncer before 1.21 cannot keep named prepared statements across transactions.
    DB_PREPARED_STATEMENTS: '0',
    LOGIN_RATE_LIMIT: '10',
  });
  await t.context.server.listening.catch((error: Error) => {
    throw new Error(`${error.message}\nPgBouncer:\n${t.context.bouncer.log.join('\n')}`);
  });
});

test.after.always(async (t) => {
  if (t.context.server) await stopServer(t.context.server);
  await t.context.bouncer?.stop();
  await t.context.database?.drop();
});

async function call(
  server: ServerProcess,
  method: string,
  path: string,
  init: { token?: string; json?: unknown; form?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | URLSearchParams | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) body = new URLSearchParams(init.form);
  const response = await fetch(server.url(path), { method, headers, body });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

test.serial(
  'this PgBouncer loses named prepared statements between transactions: why DB_PREPARED_STATEMENTS=0',
  async (t) => {
    // max_prepared_statements (PgBouncer ≥ 1.21) would keep them; Debian 12 has 1.18.
    t.log(`pgbouncer ${pgbouncerVersion()}`);
    const [first, second] = [0, 1].map(() => new pg.Client({ connectionString: t.context.bouncer.url }));
    await Promise.all([first!.connect(), second!.connect()]);
    try {
      const named = { name: 'fz_probe', text: 'select 1 as one' };
      await first!.query(named);
      // The server connection that prepared it is now busy with another client's transaction…
      await second!.query('begin');
      await second!.query('select 1');
      // …so the next transaction of the first client runs on another one, which never saw it.
      const error = await t.throwsAsync(first!.query(named));
      t.regex(error?.message ?? '', /prepared statement "fz_probe" does not exist/);
    } finally {
      await second!.query('rollback').catch(() => {});
      await Promise.all([first!.end(), second!.end()]);
    }
  },
);

test.serial('migrations ran on the direct connection before the API served through PgBouncer', async (t) => {
  const files = (await readdir('migrations')).filter((file) => file.endsWith('.ts'));
  const rows = await t.context.database.db('knex_migrations').select('name');
  t.is(rows.length, files.length);
  t.is((await call(t.context.server, 'GET', '/health/ready')).status, 200);
});

test.serial('sessions through PgBouncer still get the statement timeout and UTC, from the database', async (t) => {
  const client = new pg.Client({ connectionString: t.context.bouncer.url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select current_setting('statement_timeout') as timeout, current_setting('TimeZone') as zone`,
    );
    t.deepEqual(rows[0], { timeout: `${STATEMENT_TIMEOUT_MS / 1000}s`, zone: 'UTC' });
  } finally {
    await client.end();
  }
});

test.serial('sign up, sign in, and the whole to-do CRUD work through PgBouncer in transaction mode', async (t) => {
  const { server } = t.context;
  const user = { username: 'bouncer', email: 'bouncer@example.com', password: 'pooled-password' };
  t.is((await call(server, 'POST', '/users/', { json: user })).status, 201);
  const wrong = await call(server, 'POST', '/auth/token', { form: { username: user.email, password: 'wrong' } });
  t.is(wrong.status, 401);
  const login = await call(server, 'POST', '/auth/token', { form: { username: user.email, password: user.password } });
  t.is(login.status, 200);
  const token = login.body.access_token as string;

  const created = await call(server, 'POST', '/todos/', {
    token,
    json: { title: 'pooled', description: 'through pgbouncer', state: 'todo' },
  });
  t.is(created.status, 201);
  const listed = await call(server, 'GET', '/todos/?title=pool', { token });
  t.deepEqual(
    listed.body.todos.map((todo: any) => todo.title),
    ['pooled'],
  );
  const patched = await call(server, 'PATCH', `/todos/${created.body.id}`, { token, json: { state: 'done' } });
  t.is(patched.status, 200);
  t.is(patched.body.state, 'done');
  t.is((await call(server, 'DELETE', `/todos/${created.body.id}`, { token })).status, 200);
  t.deepEqual((await call(server, 'GET', '/todos/', { token })).body.todos, []);
  const refreshed = await call(server, 'POST', '/auth/refresh_token', { token });
  t.is(refreshed.status, 200);
});

test.serial(
  'many concurrent requests share the few server connections: PgBouncer multiplexes the API pool',
  async (t) => {
    const { server, bouncer } = t.context;
    const user = { username: 'many', email: 'many@example.com', password: 'pooled-password' };
    t.is((await call(server, 'POST', '/users/', { json: user })).status, 201);
    const { access_token: token } = (
      await call(server, 'POST', '/auth/token', { form: { username: user.email, password: user.password } })
    ).body;
    const writes = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        call(server, 'POST', '/todos/', { token, json: { title: `t${index}`, description: 'd', state: 'todo' } }),
      ),
    );
    t.deepEqual(new Set(writes.map((write) => write.status)), new Set([201]));

    const database = t.context.database.name;
    const pools = (await bouncer.admin('SHOW POOLS')).filter((pool) => pool.database === database);
    const clients = pools.reduce((sum, pool) => sum + Number(pool.cl_active) + Number(pool.cl_waiting), 0);
    const servers = pools.reduce(
      (sum, pool) => sum + Number(pool.sv_active) + Number(pool.sv_idle) + Number(pool.sv_used),
      0,
    );
    t.log(`API connections to PgBouncer: ${clients}; PgBouncer connections to PostgreSQL: ${servers}`);
    t.true(clients > SERVER_CONNECTIONS, `only ${clients} client connections`);
    t.true(servers <= SERVER_CONNECTIONS);
    const stats = (await bouncer.admin('SHOW STATS')).find((row) => row.database === database);
    t.true(Number(stats?.total_xact_count) >= 40);
  },
);
