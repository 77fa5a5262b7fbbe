/**
 * `npm test`: the ava suite against a real PostgreSQL. DATABASE_URL, if set,
 * is used only as an admin connection to create this run's databases; without
 * it a throwaway embedded PostgreSQL is started and removed. Every database
 * this run creates is named fz_test_<run id>_…, and only those are dropped.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/open.js';
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

async function main(): Promise<number> {
  const runId = randomBytes(4).toString('hex');
  const runPrefix = `${TEST_DB_PREFIX}${runId}_`;
  const template = `${runPrefix}template`;
  const given = process.env.DATABASE_URL;
  if (given) log('using the PostgreSQL at DATABASE_URL as admin connection (its own database is not touched)');
  // The run's template: migrated once, copied by every test file (CREATE DATABASE … TEMPLATE).
  const database = await openDatabase({
    url: given ? withDatabase(given, template) : undefined,
    embedded: { database: template, fast: true },
    createDatabase: true,
    waitSeconds: given ? 30 : 0,
    pool: { poolMax: 2, statementTimeoutMs: 30_000, acquireTimeoutMs: 10_000 },
    migrate: true,
    log,
  });
  if (!given) log('started a throwaway embedded PostgreSQL');
  const adminUrl = withDatabase(database.url, 'postgres');
  try {
    // A template with open sessions cannot be copied.
    await database.db.destroy();
    const ava = spawn(
      process.execPath,
      [path.resolve('node_modules/ava/entrypoints/cli.mjs'), ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: { ...process.env, [ENV.adminUrl]: adminUrl, [ENV.template]: template, [ENV.runId]: runId },
      },
    );
    const forward = (signal: NodeJS.Signals) => ava.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return await new Promise<number>((resolve) => ava.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await dropRunDatabases(adminUrl, runPrefix).catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`could not run the tests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
