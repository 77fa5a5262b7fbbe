import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/free-port.js';
import { NEEDED_BYTES } from '../helpers/scratch-space.js';
import { command, waitFor, type CommandOptions } from './helpers/command.js';
import { ComposeProject, DEV_COMPOSE_FILES } from './helpers/compose.js';
import { docker, inspect, RUN_ID, RUN_LABEL } from './helpers/docker.js';
import { buildEnv } from './helpers/images.js';

// One dev container for the file (`devcontainer up` takes minutes); the tests
// run in order and only read it, except the last, which stops and removes it.
const ROOT = process.cwd();
// The CLI cannot give `node` a root host's UID 0; docs/containers.md says to work as root there.
const ROOT_HOST = process.getuid?.() === 0;
const USER = ROOT_HOST ? 'root' : 'node';
// Its own project and id label: never finds or touches a developer's dev container.
const PROJECT = `${RUN_ID}dev${process.pid}`;
const TARGET = ['--workspace-folder', ROOT, '--id-label', RUN_LABEL, '--id-label', `fast-zero.test-dev=${PROJECT}`];

let apiPort = 0;
const env = () => ({
  ...buildEnv(),
  COMPOSE_PROJECT_NAME: PROJECT,
  API_PORT: String(apiPort),
  ...(ROOT_HOST ? { FAST_ZERO_DEV_USER: 'root' } : {}),
});
/** The documented command: `npx @devcontainers/cli …`. */
const devcontainer = (args: string[], options: CommandOptions = {}) =>
  command('npx', ['@devcontainers/cli', ...args], { env: env(), timeoutMs: 10 * 60_000, ...options });
const exec = (args: string[], options: CommandOptions = {}) => devcontainer(['exec', ...TARGET, ...args], options);

const devStack = new ComposeProject(PROJECT, DEV_COMPOSE_FILES, { COMPOSE_PROJECT_NAME: PROJECT });
// A `docker compose up` of the same folder, publishing the same API_PORT.
const composeUp = new ComposeProject(`${RUN_ID}beside${process.pid}`);
let upOutput = '';
let api = '';
let db = '';

const removeDevStack = () =>
  command('sh', ['.devcontainer/remove.sh'], { env: { ...process.env, COMPOSE_PROJECT_NAME: PROJECT }, check: false });

test.before(async () => {
  apiPort = await freePort();
  await composeUp.run(['up', '-d', '--build'], { env: { API_PORT: String(apiPort) } });
  upOutput = (await devcontainer(['up', ...TARGET], { timeoutMs: 30 * 60_000 })).output;
  api = await devStack.containerId('api');
  db = await devStack.containerId('db');
});

test.after.always(async () => {
  await composeUp.remove();
  await removeDevStack();
});

test.serial(
  'devcontainer up beside a running docker compose up on the same API_PORT: the dev stack publishes no port',
  async (t) => {
    const published = (await inspect(await composeUp.containerId('api'))).HostConfig.PortBindings;
    t.is(published['8000/tcp']?.[0]?.HostPort, String(apiPort), 'docker compose up publishes API_PORT');
    t.truthy(api && db, `containers of project ${PROJECT}`);
    t.deepEqual((await inspect(api)).HostConfig.PortBindings ?? {}, {});
    t.deepEqual((await inspect(db)).HostConfig.PortBindings ?? {}, {});
    t.regex(upOutput, /migrate: /, 'postStartCommand migrated');
  },
);

test.serial(
  `exec runs as ${USER}, in a writable workspace git trusts; the database is migrated with no manual step`,
  async (t) => {
    const { stdout, output } = await exec([
      'sh',
      '-c',
      'id -un; npx tsx src/cli/migrate.ts status; touch .write-check && rm .write-check && echo writable; cd && git config --global --get-all safe.directory',
    ]);
    t.regex(stdout, new RegExp(`^${USER}$`, 'm'));
    t.regex(output, /no pending migrations/);
    t.regex(stdout, /^writable$/m);
    t.regex(stdout, /^\/workspaces\/fast-zero$/m, 'safe.directory');
  },
);

test.serial('plain psql opens the development database (PG* variables)', async (t) => {
  const { stdout } = await exec(['psql', '-tAc', 'select current_user, current_database()']);
  t.is(stdout.trim(), 'app|fast_zero');
});

test.serial('npm run dev serves /health/ready on port 8000 inside the container', async (t) => {
  await exec(['sh', '-c', 'npm run dev >/tmp/dev-server.log 2>&1 &']);
  t.teardown(() => exec(['sh', '-c', 'pkill -TERM -f "[t]sx watch" || true'], { check: false }));
  await waitFor(
    'npm run dev serving /health/ready',
    async () => {
      const probe = ['exec', api, 'curl', '-fsS', '-m', '2', 'http://127.0.0.1:8000/health/ready'];
      return (await docker(probe, { check: false })).code === 0 ? true : undefined;
    },
    { timeoutMs: 90_000 },
  ).catch(async (error: Error) => {
    const log = (await docker(['exec', api, 'cat', '/tmp/dev-server.log'], { check: false })).output;
    throw new Error(`${error.message}\n${log}`, { cause: error });
  });
  t.pass();
});

test.serial('init: PID 1 reaps what exec leaves behind, no zombie after several execs', async (t) => {
  const pid1 = (await docker(['exec', api, 'cat', '/proc/1/cmdline'])).stdout.split('\0');
  t.regex(pid1[0]!, /docker-init|tini/, `PID 1: ${pid1.join(' ')}`);
  // Each leaves an orphan that PID 1 inherits when the shell exits.
  for (let i = 0; i < 4; i++) await exec(['sh', '-c', 'sleep 0.2 & exit 0']);
  await exec(['npx', 'tsx', '--version']);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const processes = (await docker(['exec', api, 'ps', '-eo', 'stat=,pid=,args='])).stdout.split('\n');
  t.deepEqual(
    processes.filter((line) => line.trim().startsWith('Z')),
    [],
  );
});

test.serial("/dev/shm has room for npm test's throwaway files (shm_size), not Docker's 64 MB", async (t) => {
  const free = Number((await exec(['df', '-k', '--output=avail', '/dev/shm'])).stdout.trim().split('\n').pop()) * 1024;
  t.true(free >= NEEDED_BYTES, `/dev/shm has ${free} bytes free, test/helpers/scratch-space.ts wants ${NEEDED_BYTES}`);
});

test.serial(
  'devcontainer exec npm test: passes with none skipped (the /docs browser test runs), development data untouched',
  async (t) => {
    // A row of the developer's own, to prove the tests leave the development database alone.
    const devSql = async (query: string) =>
      (
        await docker([
          'exec',
          db,
          'sh',
          '-c',
          `psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "${query}"`,
        ])
      ).stdout;
    await devSql(
      `insert into users (username, email, password) values ('keep-${RUN_ID}', 'keep-${RUN_ID}@example.com', 'x')`,
    );
    const snapshot = () => devSql('select count(*) from users; select count(*) from todos; select max(id) from users');
    const before = await snapshot();

    const { output } = await exec(['npm', 'test'], { timeoutMs: 20 * 60_000 });
    t.log(`devcontainer exec npm test: ${output.match(/\d+ tests? passed/)?.[0] ?? '?'}`);
    t.notRegex(output, /\d+ tests? skipped/);
    t.regex(output, /scratch space: \/dev\/shm/, 'npm test kept its throwaway files in memory');

    t.is(await snapshot(), before, 'users/todos counts and max id of the development database');
    t.is((await devSql(`select count(*) from users where username = 'keep-${RUN_ID}'`)).trim(), '1');
  },
);

test.serial(
  'stop takes seconds, not a kill; sh .devcontainer/remove.sh leaves no container, volume, network or image',
  async (t) => {
    const ids = (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])).stdout
      .split('\n')
      .filter(Boolean);
    const images = new Set<string>();
    for (const id of ids) images.add((await inspect(id)).Config.Image as string);
    images.delete('postgres:18');
    t.log(`images of the dev stack: ${[...images].join(', ')}`);
    t.true(images.size > 0);

    const stop = await docker(['stop', '-t', '10', api], { timeoutMs: 30_000 });
    t.true(stop.ms < 5000, `docker stop took ${stop.ms} ms`);
    t.not((await inspect(api)).State.ExitCode, 137, 'killed after the timeout');

    const removal = await removeDevStack();
    t.is(removal.code, 0, removal.output);
    const left = async (args: string[]) => (await docker(args)).stdout.trim();
    t.is(await left(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]), '');
    t.is(await left(['volume', 'ls', '-q', '--filter', `name=${PROJECT}_`]), '');
    t.is(await left(['network', 'ls', '-q', '--filter', `name=${PROJECT}_`]), '');
    for (const image of images) {
      t.not((await docker(['image', 'inspect', image], { check: false })).code, 0, `${image} is still there`);
    }
  },
);

test('npx @devcontainers/cli is the Dev Containers CLI from a folder without node_modules (a fresh clone)', async (t) => {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-fresh-'));
  t.teardown(() => rm(empty, { recursive: true, force: true }));
  const { stdout } = await command('npx', ['--yes', '@devcontainers/cli', '--version'], {
    cwd: empty,
    timeoutMs: 5 * 60_000,
  });
  t.regex(stdout.trim(), /^\d+\.\d+\.\d+$/);
});
