import test from 'ava';
import { createTestDatabase } from './helpers/database.js';
import { spawnServer, stopServer, type ServerProcess } from './helpers/server-process.js';

// Real processes on one database: the counters live in PostgreSQL, not in any one of them.

const post = (server: ServerProcess, path: string, init: { json?: unknown; form?: Record<string, string> }) =>
  fetch(server.url(path), {
    method: 'POST',
    headers: { 'content-type': init.json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: init.json ? JSON.stringify(init.json) : new URLSearchParams(init.form).toString(),
  });

test('three processes hit in turn block at the same total as one, and a restarted process still refuses the pair', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const env = { DATABASE_URL: database.url, RUN_MIGRATIONS: '0' };
  const servers = [spawnServer(env), spawnServer(env), spawnServer(env)];
  t.teardown(() => Promise.all(servers.map(stopServer)).then(() => undefined));
  await Promise.all(servers.map((server) => server.listening));

  const account = { username: 'replica', email: 'replica@example.com', password: 'right-password' };
  t.is((await post(servers[0]!, '/users/', { json: account })).status, 201);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const server = servers[i % 3]!;
    statuses.push((await post(server, '/auth/token', { form: { username: account.email, password: 'wrong' } })).status);
  }
  t.deepEqual(statuses, [...Array<number>(10).fill(401), 429]);

  await stopServer(servers[1]!);
  servers[1] = spawnServer(env);
  await servers[1].listening;
  const afterRestart = await post(servers[1], '/auth/token', {
    form: { username: account.email, password: account.password },
  });
  t.is(afterRestart.status, 429, 'the block outlives the process');
  t.truthy(afterRestart.headers.get('retry-after'));
});
