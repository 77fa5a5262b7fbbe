import test from 'ava';
import { docker, RUN_LABEL, uniqueName } from './helpers/docker.js';
import { devImage } from './helpers/images.js';

/** Runs `command` in a throwaway dev-image container through its entrypoint. */
async function runDev(options: string[], command: string[]) {
  const image = await devImage();
  return docker(['run', '--rm', '--name', uniqueName('dev'), '--label', RUN_LABEL, ...options, image, ...command], {
    timeoutMs: 90_000,
  });
}

test('dev image, database unreachable, RUN_MIGRATIONS=1: the command still runs', async (t) => {
  t.timeout(25 * 60_000);
  const { output } = await runDev(
    [
      '-e',
      'RUN_MIGRATIONS=1',
      '-e',
      `DATABASE_URL=postgres://app:pw@${uniqueName('nowhere')}.invalid:5432/x`,
      '-e',
      'DB_WAIT_SECONDS=1',
    ],
    ['echo', 'command-ran'],
  );
  t.regex(output, /^command-ran$/m);
});

test('dev image before npm ci (empty node_modules), RUN_MIGRATIONS=1: the command still runs', async (t) => {
  t.timeout(25 * 60_000);
  const { output } = await runDev(
    [
      '-e',
      'RUN_MIGRATIONS=1',
      '--tmpfs',
      '/workspaces/fast-zero/node_modules',
      '-e',
      'DATABASE_URL=postgres://app:pw@127.0.0.1:1/x',
    ],
    ['echo', 'command-ran'],
  );
  t.regex(output, /^command-ran$/m);
});

test("dev image, default RUN_MIGRATIONS: a command other than the server (the dev container's sleep) runs untouched", async (t) => {
  t.timeout(25 * 60_000);
  const { output } = await runDev([], ['sleep', '0']);
  t.is(output, '');
});
