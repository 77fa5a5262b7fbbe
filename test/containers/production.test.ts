import test from 'ava';
import { inspect, logs, uniqueName, waitReady } from './helpers/docker.js';
import { Postgres } from './helpers/postgres.js';
import { productionEnv, runProductionOnce, startProduction, STRONG_SECRET } from './helpers/production.js';

let pg: Postgres | undefined;
test.before(async () => {
  pg = await Postgres.start();
});
test.after.always(() => pg?.stop());

test('read-only root filesystem (+ tmpfs /tmp), ENVIRONMENT=production: migrates, becomes ready, serves POST /users/', async (t) => {
  t.timeout(25 * 60_000);
  const container = await startProduction(t, pg!, await pg!.createDatabase('readonly'), {
    options: ['--read-only', '--tmpfs', '/tmp'],
  });
  const port = await waitReady(container);
  t.true((await inspect(container)).HostConfig.ReadonlyRootfs);
  t.regex(await logs(container), /migrate: applied|migrations applied/);
  const name = uniqueName('ro');
  const response = await fetch(`http://127.0.0.1:${port}/users/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: name, email: `${name}@example.com`, password: 'read only fs' }),
  });
  t.is(response.status, 201, await response.text());
});

test('ENVIRONMENT=production refuses the development SECRET_KEY: exits non-zero, naming SECRET_KEY', async (t) => {
  t.timeout(25 * 60_000);
  const database = await pg!.createDatabase('refuse');
  const result = await runProductionOnce(
    pg!,
    productionEnv(pg!, database, { SECRET_KEY: 'dev-only-insecure-secret-change-me' }),
  );
  t.false(result.timedOut, 'still running after 60 s');
  t.not(result.code, 0, result.output);
  t.regex(result.output, /SECRET_KEY/);
});

test('no SECRET_KEY and no ENVIRONMENT (the image sets NODE_ENV=production): refused too', async (t) => {
  t.timeout(25 * 60_000);
  const database = await pg!.createDatabase('nokey');
  const result = await runProductionOnce(pg!, ['-e', `DATABASE_URL=${pg!.url(database)}`, '-e', 'RUN_MIGRATIONS=0']);
  t.false(result.timedOut, 'still running after 60 s');
  t.not(result.code, 0, result.output);
  t.regex(result.output, /SECRET_KEY/);
});

for (const [label, host] of [
  ['an unresolvable host', () => `${uniqueName('nowhere')}.invalid:5432`],
  ['a refused port', () => `${pg!.container}:1`],
] as const) {
  test(`no database (${label}), DB_WAIT_SECONDS=4: logged retries, then exit non-zero within 20 s naming the database`, async (t) => {
    t.timeout(25 * 60_000);
    const result = await runProductionOnce(pg!, [
      '-e',
      `DATABASE_URL=postgres://app:pw@${host()}/fast_zero`,
      '-e',
      'DB_WAIT_SECONDS=4',
      '-e',
      'ENVIRONMENT=production',
      '-e',
      `SECRET_KEY=${STRONG_SECRET}`,
    ]);
    t.false(result.timedOut, 'still waiting after 60 s');
    t.not(result.code, 0, result.output);
    t.true(result.ms < 20_000, `took ${result.ms} ms for DB_WAIT_SECONDS=4`);
    t.regex(result.output, /database not reachable/i);
    t.regex(result.output, /retrying/);
    t.log(`exit ${result.code} after ${result.ms} ms`);
  });
}
