import test from 'ava';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/db/free-port.js';
import { TEST_SECRET } from './helpers/app.js';
import { createTestDatabase } from './helpers/database.js';
import { runScript, spawnServer, stopServer } from './helpers/server-process.js';

/** A directory the server runs in (its .env and .data), traversable by the user PostgreSQL runs as. */
async function workspace(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-start-'));
  await chmod(directory, 0o755);
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

const serverEnv = (env: NodeJS.ProcessEnv) => ({
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_FORMAT: 'json',
  BCRYPT_ROUNDS: '4',
  ...env,
});

test('a port in use: exits 1 saying which port and to set PORT', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const { port } = taken.address() as net.AddressInfo;

  const server = spawnServer({ DATABASE_URL: database.url, PORT: String(port) });
  t.teardown(() => stopServer(server));
  t.is((await server.exited).code, 1);
  t.regex(server.lines.join('\n'), new RegExp(`port ${port} is in use .*: set PORT`));
});

// Any one-label name that does not resolve reads as a Compose service (`db` itself resolves inside
// the dev container, where this suite also runs, so the test uses a name no network has).
test('DATABASE_URL naming a Compose service host outside Compose: says the host exists only inside Compose and to unset DATABASE_URL', async (t) => {
  const { code, output } = await runScript('src/server.ts', [], {
    cwd: await workspace(t),
    env: serverEnv({
      ENVIRONMENT: 'production',
      SECRET_KEY: TEST_SECRET,
      DATABASE_URL: 'postgres://app:pw@fz-compose-only-db:5432/fast_zero',
      DB_WAIT_SECONDS: '0',
    }),
  });
  t.is(code, 1);
  t.regex(
    output,
    /the host `fz-compose-only-db` exists only inside Compose.*unset DATABASE_URL to use the embedded database/,
  );
});

test('.data made by another user: says so and how to fix it, instead of a bare EACCES', async (t) => {
  const cwd = await workspace(t);
  await mkdir(path.join(cwd, '.data'));
  const root = process.getuid?.() === 0;
  // As root, run the server as `nobody`; otherwise take our own write permission away.
  if (!root) await chmod(path.join(cwd, '.data'), 0o555);
  const { code, output } = await runScript('src/server.ts', [], {
    cwd,
    uid: root ? 65534 : undefined,
    env: serverEnv({ ENVIRONMENT: 'local', HOME: cwd }),
  });
  t.is(code, 1);
  t.regex(output, /E(ACCES|PERM)/);
  t.regex(output, /\.data was created by another user .*: remove it \(rm -rf \.data.*chown -R/);
});

test('a bad value is shown with where it came from (.env or the environment), secrets masked; a misspelt .env name gets a "did you mean"', async (t) => {
  const cwd = await workspace(t);
  await writeFile(path.join(cwd, '.env'), 'PORT=eighty\nSECRT_KEY=whatever\nUNRELATED_TOOL_SETTING=1\n');
  const { code, output } = await runScript('src/server.ts', [], {
    cwd,
    env: {
      ENVIRONMENT: 'production',
      SECRET_KEY: 'short-but-secret',
      DATABASE_URL: 'postgres://app:hunter2@localhost/fast_zero',
    },
  });
  t.is(code, 1);
  t.regex(output, /PORT: PORT must be a whole number \(got "eighty" from \.env\)/);
  t.regex(output, /SECRET_KEY: .*\(got a value of 16 characters \(hidden\) from the environment\)/);
  t.false(output.includes('short-but-secret'), 'the secret itself is never printed');
  t.regex(output, /\.env sets SECRT_KEY, which the app does not read: did you mean SECRET_KEY\?/);
  t.false(output.includes('UNRELATED_TOOL_SETTING'), 'names close to no setting are left alone');
});

test('lines logged before a start-up failure are printed before it, not after (pretty logs go through a worker)', async (t) => {
  const port = await freePort();
  const { code, output } = await runScript('src/server.ts', [], {
    cwd: await workspace(t),
    env: serverEnv({
      ENVIRONMENT: 'local',
      LOG_FORMAT: 'pretty',
      // A weak key in local: a warning logged at once, a few milliseconds before the failure.
      SECRET_KEY: 'changethis',
      DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/db`,
      DB_WAIT_SECONDS: '0',
    }),
  });
  t.is(code, 1);
  const warning = output.indexOf('SECRET_KEY: is a known default');
  const failure = output.indexOf('fast-zero failed to start');
  t.true(warning >= 0 && failure >= 0, output);
  t.true(warning < failure, `the warning comes first:\n${output}`);
  t.regex(output, new RegExp(`nothing listens on 127\\.0\\.0\\.1:${port} from DATABASE_URL`));
});
