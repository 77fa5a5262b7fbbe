import test from 'ava';
import path from 'node:path';
import { command, waitFor, type CommandOptions } from './helpers/command.js';
import { ComposeProject, DEV_COMPOSE_FILES } from './helpers/compose.js';
import { docker, RUN_ID, RUN_LABEL } from './helpers/docker.js';
import { buildEnv } from './helpers/images.js';

const ROOT = process.cwd();
const CLI = path.resolve('node_modules/.bin/devcontainer');

test('dev container: devcontainer up migrates, npm run dev serves, devcontainer exec npm test passes and leaves the dev database alone', async (t) => {
  t.timeout(40 * 60_000);
  // Its own project and id label: never finds or touches a developer's dev container.
  const project = `${RUN_ID}dev${process.pid}`;
  const env = { ...buildEnv(), COMPOSE_PROJECT_NAME: project };
  const target = ['--workspace-folder', ROOT, '--id-label', RUN_LABEL, '--id-label', `fast-zero.test-dev=${project}`];
  const devcontainer = (args: string[], options: CommandOptions = {}) =>
    command(CLI, args, { env, timeoutMs: 10 * 60_000, ...options });
  const exec = (args: string[], options: CommandOptions = {}) => devcontainer(['exec', ...target, ...args], options);
  const stack = new ComposeProject(project, DEV_COMPOSE_FILES, { COMPOSE_PROJECT_NAME: project });
  t.teardown(async () => {
    // The CLI's UID-update image (vsc-<folder>-<hash>-uid) is unknown to Compose: note it before its container goes.
    const images = (await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).stdout
      .split('\n')
      .filter(Boolean);
    const tags = images.length
      ? (await docker(['inspect', '-f', '{{.Config.Image}}', ...images])).stdout
          .split('\n')
          .filter((image) => image.startsWith('vsc-'))
      : [];
    await stack.remove();
    if (tags.length) await docker(['rmi', ...new Set(tags)], { check: false });
  });

  const up = await devcontainer(['up', ...target], { timeoutMs: 25 * 60_000 });
  t.regex(up.output, /migrate: /, 'postStartCommand migrated');
  const api = await stack.containerId('api');
  const db = await stack.containerId('db');
  t.truthy(api && db, `containers of project ${project}`);

  const status = await exec(['sh', '-c', 'id -un; npx tsx src/cli/migrate.ts status']);
  t.regex(status.stdout, /^node$/m, 'exec runs as node');
  t.regex(status.output, /no pending migrations/, 'the development database is migrated');

  // npm run dev (tsx watch) serves on 0.0.0.0:8000 inside the container.
  await exec(['sh', '-c', 'npm run dev >/tmp/dev-server.log 2>&1 &']);
  await waitFor(
    'npm run dev serving /health/ready',
    async () => {
      const probe = ['exec', api, 'curl', '-fsS', '-m', '2', 'http://127.0.0.1:8000/health/ready'];
      return (await docker(probe, { check: false })).code === 0 ? true : undefined;
    },
    { timeoutMs: 60_000 },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${(await docker(['exec', api, 'cat', '/tmp/dev-server.log'])).output}`, {
      cause: error,
    });
  });
  // [t]: the pattern must not match this very shell's command line.
  await exec(['sh', '-c', 'pkill -TERM -f "[t]sx watch" || true']);

  // A row of the developer's own, to prove the tests leave the development database alone.
  const devSql = (query: string) =>
    docker(['exec', db, 'sh', '-c', `psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "${query}"`]);
  await devSql(
    `insert into users (username, email, password) values ('keep-${RUN_ID}', 'keep-${RUN_ID}@example.com', 'x')`,
  );
  const snapshot = async () =>
    (await devSql('select count(*) from users; select count(*) from todos; select max(id) from users')).stdout.trim();
  const before = await snapshot();

  const tests = await exec(['npm', 'test'], { timeoutMs: 20 * 60_000 });
  t.log(`devcontainer exec npm test: ${tests.output.match(/\d+ tests? passed/)?.[0] ?? '?'}`);

  t.is(await snapshot(), before, 'users/todos counts and max id of the development database');
  t.is((await devSql(`select count(*) from users where username = 'keep-${RUN_ID}'`)).stdout.trim(), '1');
});
