import test from 'ava';
import { readdirSync } from 'node:fs';
import { waitFor } from './helpers/command.js';
import { docker, logs, publishedPort, RUN_LABEL, uniqueName, waitReady } from './helpers/docker.js';
import { devImage, productionImage } from './helpers/images.js';
import { Postgres } from './helpers/postgres.js';
import { startProduction } from './helpers/production.js';

const MIGRATIONS = readdirSync('migrations')
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => file.replace(/\.ts$/, ''));
/** What a server or the migrate CLI logs when it applied migrations itself. */
const APPLIED = /migrate: applied|migrations applied/;

let pg: Postgres | undefined;
test.before(async () => {
  pg = await Postgres.start();
});
test.after.always(() => pg?.stop());

/** knex's bookkeeping in `database`: rows, distinct names, lock rows. */
async function bookkeeping(database: string) {
  const [rows, distinct, locks] = (
    await pg!.sql(
      database,
      'select (select count(*) from knex_migrations), (select count(distinct name) from knex_migrations), (select count(*) from knex_migrations_lock)',
    )
  ).split('|');
  return { rows: Number(rows), distinct: Number(distinct), locks: Number(locks) };
}

test('4 production replicas started at once on an empty database: all ready, each migration recorded once, applied by one', async (t) => {
  t.timeout(25 * 60_000);
  const database = await pg!.createDatabase('replicas');
  await productionImage();
  const replicas = await Promise.all(
    [1, 2, 3, 4].map(() => startProduction(t, pg!, database, { env: { DB_POOL_MAX: '3' } })),
  );
  await Promise.all(replicas.map((replica) => waitReady(replica, 120_000)));
  t.deepEqual(await bookkeeping(database), { rows: MIGRATIONS.length, distinct: MIGRATIONS.length, locks: 1 });
  const applied = (await Promise.all(replicas.map(logs))).filter((text) => APPLIED.test(text));
  t.is(applied.length, 1, 'containers that say they applied migrations');
});

test('production image with the default RUN_MIGRATIONS on a fresh database: migrates once and is ready', async (t) => {
  t.timeout(25 * 60_000);
  const database = await pg!.createDatabase('default');
  const container = await startProduction(t, pg!, database);
  await waitReady(container);
  t.deepEqual(await bookkeeping(database), { rows: MIGRATIONS.length, distinct: MIGRATIONS.length, locks: 1 });
  t.regex(await logs(container), APPLIED);
});

test('production image with RUN_MIGRATIONS=0 on a fresh database: leaves it empty, /health/ready 503 names the pending migrations', async (t) => {
  t.timeout(25 * 60_000);
  const database = await pg!.createDatabase('nomigrate');
  const container = await startProduction(t, pg!, database, { env: { RUN_MIGRATIONS: '0' } });
  const port = await publishedPort(container);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'GET /health/live 200',
    async () =>
      (await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined))?.ok
        ? true
        : undefined,
    { timeoutMs: 90_000 },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${await logs(container)}`);
  });
  const tables = await pg!.sql(database, "select count(*) from pg_tables where schemaname = 'public'");
  t.is(tables, '0', 'tables in the database (knex_migrations, users, …)');
  const ready = await fetch(`${base}/health/ready`);
  t.is(ready.status, 503);
  const { detail } = (await ready.json()) as { detail: string };
  t.regex(detail, /^Pending migrations: /);
  for (const migration of MIGRATIONS) t.true(detail.includes(migration), `${migration} in "${detail}"`);
});

/** Runs the migrate CLI of the dev (tsx, .ts) or production (node, .js) image against `database`. */
async function migrateWith(kind: 'dev' | 'production', database: string): Promise<string> {
  const image = kind === 'dev' ? await devImage() : await productionImage();
  const cli =
    kind === 'dev'
      ? ['node_modules/.bin/tsx', 'src/cli/migrate.ts', 'latest', '--wait']
      : ['node', 'dist/src/cli/migrate.js', 'latest', '--wait'];
  const name = uniqueName(`migrate-${kind}`);
  const { output } = await docker(
    ['run', '--rm', '--name', name, '--network', pg!.network, '--label', RUN_LABEL].concat([
      '-e',
      `DATABASE_URL=${pg!.url(database)}`,
      image,
      ...cli,
    ]),
    { timeoutMs: 120_000 },
  );
  return output;
}

for (const [first, second] of [
  ['dev', 'production'],
  ['production', 'dev'],
] as const) {
  test(`the ${first} image migrates a database, then the ${second} image finds it up to date (never "corrupt")`, async (t) => {
    t.timeout(25 * 60_000);
    await Promise.all([devImage(), productionImage()]);
    const database = await pg!.createDatabase(`cross_${first}`);
    t.regex(await migrateWith(first, database), /migrate: applied/);
    const output = await migrateWith(second, database);
    t.notRegex(output, /corrupt/i);
    t.regex(output, /already up to date/);
  });
}
