import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../src/db/free-port.js';
import { startLocalPostgres } from '../src/db/embedded.js';
import { seedCluster } from './helpers/cluster-seed.js';
import { createTestDatabase } from './helpers/database.js';
import { writtenMigrations } from './helpers/migration-files.js';
import { spawnServer, stopServer } from './helpers/server-process.js';

const stop = stopServer;

test('without a reachable database the server retries with logged backoff, then exits non-zero with a clear message', async (t) => {
  const port = await freePort();
  const started = Date.now();
  const server = spawnServer({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`, DB_WAIT_SECONDS: '2' });
  t.teardown(() => stop(server));
  const { code } = await server.exited;
  t.is(code, 1);
  // Generous: tsx compiles the server first, and CI machines are shared.
  t.true(Date.now() - started < 40_000);
  const output = server.lines.join('\n');
  t.regex(output, /database not reachable \(attempt 2/);
  t.regex(output, /database not reachable after 2s/);
});

test('production refuses to start with a development secret, naming SECRET_KEY', async (t) => {
  const server = spawnServer({
    DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
    SECRET_KEY: 'dev-only-insecure-secret-change-me',
  });
  t.teardown(() => stop(server));
  t.is((await server.exited).code, 1);
  t.regex(server.lines.join('\n'), /SECRET_KEY: is a known default/);
});

test('SIGTERM lets an in-flight request finish, closes the pool and exits 0', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const server = spawnServer({ DATABASE_URL: database.url });
  t.teardown(() => stop(server));
  await server.listening;

  // Hold a lock so GET /users/ is still running when the signal arrives.
  const blocker = new pg.Client({ connectionString: database.url });
  await blocker.connect();
  t.teardown(() => blocker.end());
  await blocker.query('begin; lock table users in access exclusive mode');
  const inFlight = fetch(server.url('/users/'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  server.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ready = await fetch(server.url('/health/ready')).catch(() => undefined);
  t.true(ready === undefined || ready.status === 503, 'no new work is accepted while draining');
  await blocker.query('commit');

  const response = await inFlight;
  t.is(response.status, 200);
  t.deepEqual(await response.json(), { users: [] });
  const { code } = await server.exited;
  t.is(code, 0);
  t.regex(server.lines.join('\n'), /"msg":"stopped"/);
});

test('access logs: one JSON line per request with method, path, status, duration and request id; no password or token', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const server = spawnServer({ DATABASE_URL: database.url });
  t.teardown(() => stop(server));
  await server.listening;

  const password = 'Sup3r-Secret-Passw0rd';
  await fetch(server.url('/users/'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'req-42' },
    body: JSON.stringify({ username: 'logged', email: 'logged@example.com', password }),
  });
  const login = await fetch(server.url('/auth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'logged@example.com', password }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  await fetch(server.url('/todos/?title=abc'), { headers: { authorization: `Bearer ${token}` } });
  await fetch(server.url('/todos/'), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{"title": broken',
  });
  server.child.kill('SIGTERM');
  await server.exited;

  const output = server.lines.join('\n');
  t.false(output.includes(password), 'the password never appears');
  t.false(output.includes(token), 'the token never appears');
  const access = server.lines
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.requestId && entry.status);
  t.is(access.length, 4);
  t.like(
    access.find((entry) => entry.path === '/users/'),
    { method: 'POST', status: 201, requestId: 'req-42' },
  );
  t.like(
    access.find((entry) => entry.path === '/todos/' && entry.method === 'POST'),
    { status: 422 },
  );
  t.true(access.every((entry) => typeof entry.durationMs === 'number'));
});

test('four servers started at once on an empty database: migrations run once, all four ready', async (t) => {
  const database = await createTestDatabase({ migrated: false });
  t.teardown(() => database.drop());
  const servers = Array.from({ length: 4 }, () => spawnServer({ DATABASE_URL: database.url }));
  t.teardown(() => Promise.all(servers.map(stop)).then(() => undefined));
  await Promise.all(servers.map((server) => server.listening));
  for (const server of servers) t.is((await fetch(server.url('/health/ready'))).status, 200);
  const applied = servers.filter((server) => server.lines.some((line) => line.includes('"msg":"migrations applied"')));
  t.is(applied.length, 1, 'exactly one replica applied the migrations');
  const { rows } = await database.db.raw<{ rows: { n: number }[] }>('select count(*)::int as n from knex_migrations');
  t.is(rows[0]?.n, (await writtenMigrations()).length);
});

test('database outage while serving: fast 503, process stays up, serves again once PostgreSQL is back', async (t) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-outage-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const port = await freePort();
  const options = { directory, database: 'outage', persistent: true, fast: true, port };
  await seedCluster(directory);
  let cluster = await startLocalPostgres(options);
  t.teardown(() => cluster.stop());
  const server = spawnServer({
    DATABASE_URL: cluster.url,
    DB_ACQUIRE_TIMEOUT_MS: '1000',
    DB_STATEMENT_TIMEOUT_MS: '2000',
  });
  t.teardown(() => stop(server));
  await server.listening;
  t.is((await fetch(server.url('/users/'))).status, 200);

  await cluster.stop();
  const started = Date.now();
  const during = await fetch(server.url('/users/'));
  t.is(during.status, 503);
  t.deepEqual(await during.json(), { detail: 'Service unavailable' });
  const login = await fetch(server.url('/auth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=someone%40example.com&password=secret',
  });
  t.is(login.status, 503, 'the login limiter fails closed with the same 503, never a 500');
  t.true(Date.now() - started < 5_000, 'fails fast instead of hanging');
  t.is((await fetch(server.url('/health/live'))).status, 200);
  t.is((await fetch(server.url('/health/ready'))).status, 503);

  cluster = await startLocalPostgres(options);
  const after = await fetch(server.url('/users/'));
  t.is(after.status, 200);
  t.is((await fetch(server.url('/health/ready'))).status, 200);
  t.is(server.child.exitCode, null, 'never restarted');
  // knex's own warnings about the broken connections come through the JSON log too, not raw.
  const raw = server.lines.filter((line) => !line.startsWith('{'));
  t.deepEqual(raw, [], 'every line the server wrote is a JSON log entry');
  t.true(
    server.lines.some((line) => line.includes('"source":"knex"') && line.includes('Connection Error')),
    'knex reported the connections PostgreSQL closed',
  );
});

test('RUN_MIGRATIONS=0: the server never migrates; on an empty database /health/ready names the pending migrations', async (t) => {
  const database = await createTestDatabase({ migrated: false });
  t.teardown(() => database.drop());
  const server = spawnServer({ DATABASE_URL: database.url, RUN_MIGRATIONS: '0' });
  t.teardown(() => stop(server));
  await server.listening;
  const ready = await fetch(server.url('/health/ready'));
  t.is(ready.status, 503);
  t.regex(((await ready.json()) as { detail: string }).detail, /^Pending migrations: \d{14}_create_users/);
  // A probe failing on purpose is a state, not a fault: its access line (at info) says so, no error with a stack.
  const logged = () => server.lines.some((line) => line.includes('"path":"/health/ready"'));
  for (const deadline = Date.now() + 5_000; !logged() && Date.now() < deadline;) await sleep(20);
  const entries = server.lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; path?: string; status?: number });
  t.deepEqual(
    entries.filter((entry) => entry.path === '/health/ready').map(({ level, status }) => ({ level, status })),
    [{ level: 30, status: 503 }],
  );
  t.false(
    entries.some((entry) => entry.level >= 50),
    'no error-level line',
  );
  t.false(await database.db.schema.hasTable('users'));
  t.false(await database.db.schema.hasTable('knex_migrations'), 'not even knex bookkeeping was created');
});
