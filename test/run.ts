/**
 * `npm test`: the ava suite against a real PostgreSQL. DATABASE_URL, if set,
 * is used only as an admin connection to create this run's databases; without
 * it a throwaway embedded PostgreSQL is started and removed. Every database
 * this run creates is named fz_test_<run id>_…, and only those are dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import inspector from 'node:inspector';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../src/db/open.js';
import type { LocalPostgres } from '../src/db/embedded.js';
import { startThrowawayCluster } from './helpers/cluster-seed.js';
import { memoryBackedTmpdir } from './helpers/scratch-space.js';
import { BUILDS_DIRECTORY, buildForTests, namedInBuild } from './helpers/test-build.js';
import { ENV, TEST_DB_PREFIX, withAdmin, withDatabase } from './helpers/test-cluster.js';

const log = (message: string) => process.stderr.write(`test: ${message}\n`);

async function dropRunDatabases(adminUrl: string, runPrefix: string): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `select datname from pg_database where starts_with(datname, $1)`,
      [runPrefix],
    );
    for (const { datname } of rows)
      await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
  });
}

// Ctrl-C reaches the whole process group (ava, its workers, PostgreSQL) and
// this process; it must neither die at once (leaving the cluster's folder in
// the temp folder) nor wait for the suite: stop ava, stop the cluster, remove the folder.
let interrupted: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | undefined;
let ava: ChildProcess | undefined;
const startup = new AbortController();
// SIGHUP: the terminal was closed (PostgreSQL ignores that one, so it must be stopped here).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    interrupted ??= signal;
    startup.abort();
    ava?.kill(signal);
  });
}
const INTERRUPTED_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Under --watch the sources change during the run, and under a debugger
 * (`ava debug`, VS Code's launch configuration) breakpoints are set in them:
 * then ava and the servers it spawns run the TypeScript through tsx, as
 * ava.config.js says. Otherwise they run this run's build.
 */
function runsFromSources(args: readonly string[]): boolean {
  const watching = args.some((arg) => arg === '--watch' || arg === '-w');
  return watching || args[0] === 'debug' || inspector.url() !== undefined;
}

async function main(): Promise<number> {
  const runId = randomBytes(4).toString('hex');
  const runPrefix = `${TEST_DB_PREFIX}${runId}_`;
  const template = `${runPrefix}template`;
  const given = process.env.DATABASE_URL;
  if (given) log('using the PostgreSQL at DATABASE_URL as admin connection (its own database is not touched)');
  const args = process.argv.slice(2);
  // Unless a temp folder was chosen, this run's clusters and folders go to memory
  // (test/helpers/scratch-space.ts): ava and its workers inherit TMPDIR, and the servers
  // they start work in folders made there.
  const scratch = process.env.TMPDIR ? undefined : await memoryBackedTmpdir();
  if (scratch) process.env.TMPDIR = scratch;
  const buildDir = path.resolve(BUILDS_DIRECTORY, runId);
  const build = runsFromSources(args) ? undefined : buildDir;
  // esbuild works in a process of its own: the build overlaps with PostgreSQL's start.
  const building = build ? buildForTests(build) : Promise.resolve();
  building.catch(() => {}); // awaited below, once the database is up
  let cluster: LocalPostgres | undefined;
  let database: Database | undefined;
  try {
    const url = given
      ? withDatabase(given, template)
      : (cluster = await startThrowawayCluster(template, { log, signal: startup.signal })).url;
    // The run's template: migrated once, copied by every test file (CREATE DATABASE … TEMPLATE).
    database = await openDatabase({
      url,
      createDatabase: true,
      waitSeconds: given ? 30 : 0,
      pool: { poolMax: 2, statementTimeoutMs: 30_000, acquireTimeoutMs: 10_000 },
      migrate: true,
      log,
      signal: startup.signal,
    });
    if (!given) log('started a throwaway embedded PostgreSQL');
    await building;
    if (interrupted) return INTERRUPTED_EXIT[interrupted];
    // A template with open sessions cannot be copied.
    await database.db.destroy();
    ava = spawn(
      process.execPath,
      [path.resolve('node_modules/ava/entrypoints/cli.mjs'), ...(build ? namedInBuild(args, build) : args)],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          [ENV.adminUrl]: withDatabase(database.url, 'postgres'),
          [ENV.template]: template,
          [ENV.runId]: runId,
          [ENV.build]: build,
          [ENV.scratch]: scratch ?? '',
        },
      },
    );
    const child = ava;
    const code = await new Promise<number>((resolve) =>
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
    );
    return interrupted ? INTERRUPTED_EXIT[interrupted] : code;
  } finally {
    await building.catch(() => {});
    await rm(buildDir, { recursive: true, force: true });
    if (database) {
      // A throwaway cluster goes as a whole; on a given server only this run's databases are dropped.
      if (given) {
        await dropRunDatabases(withDatabase(database.url, 'postgres'), runPrefix).catch((error: unknown) =>
          log(`cleanup failed: ${String(error)}`),
        );
      }
      await database.close();
    }
    await cluster?.stop();
    if (interrupted) log(`interrupted (${interrupted}): stopped the tests and removed this run's databases`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Interrupted during start-up: PostgreSQL got the signal too and startThrowawayCluster removed what it made.
    if (interrupted) process.exit(INTERRUPTED_EXIT[interrupted]);
    log(`could not run the tests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
