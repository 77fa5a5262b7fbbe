import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import dotenv from 'dotenv';
import { ConfigError, loadConfig, readFileSettings } from '../config.js';
import { MIGRATIONS_DIR } from '../db/migration-source.js';
import { migrateLatest, migrateRollback, pendingMigrations } from '../db/migrator.js';
import { localCluster, openDatabase } from '../db/open.js';

const USAGE = `usage: migrate <latest [--wait] | rollback [--all] | status | make <name>>
  latest     apply pending migrations (under a PostgreSQL advisory lock)
  --wait     first wait for the database, up to DB_WAIT_SECONDS (default 30)
  rollback   undo the last batch (--all: every migration)
  status     list applied and pending migrations
  make NAME  create migrations/<UTC timestamp>_NAME.ts`;

const TEMPLATE = `import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('table_name', (table) => {
    table.increments('id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('table_name');
}
`;

const log = (message: string) => process.stdout.write(`migrate: ${message}\n`);

async function make(name: string | undefined): Promise<void> {
  if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('make needs a snake_case name, e.g. add_todo_priority');
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  // Always created in the sources: compiled copies come from `npm run build`.
  const directory = MIGRATIONS_DIR.includes(`${path.sep}dist${path.sep}`) ? path.resolve('migrations') : MIGRATIONS_DIR;
  const file = path.join(directory, `${stamp}_${name}.ts`);
  await writeFile(file, TEMPLATE, { flag: 'wx' });
  log(`created ${path.relative(process.cwd(), file)}`);
}

/** The knex migration commands, with our migration source and lock (also run by entrypoint.sh). */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'make') return make(rest[0]);
  if (!command || !['latest', 'rollback', 'status'].includes(command)) throw new Error(USAGE);

  dotenv.config({ quiet: true });
  const config = loadConfig(readFileSettings(process.env), { needsSecret: false });
  const database = await openDatabase({
    url: config.databaseUrl,
    migrationsUrl: config.migrationsDatabaseUrl,
    embedded: localCluster(path.resolve('.data')),
    waitSeconds: rest.includes('--wait') ? config.db.waitSeconds : 0,
    pool: { ...config.db, poolMax: 1 },
    migrate: false,
    log,
  });
  const target = { url: database.migrationsUrl, acquireTimeoutMs: config.db.acquireTimeoutMs };
  try {
    if (command === 'latest') {
      const applied = await migrateLatest(target);
      log(applied.length ? `applied ${applied.join(', ')}` : 'already up to date');
    } else if (command === 'rollback') {
      const undone = await migrateRollback(target, rest.includes('--all'));
      log(undone.length ? `rolled back ${undone.join(', ')}` : 'nothing to roll back');
    } else {
      const pending = await pendingMigrations(database.db);
      log(pending.length ? `pending: ${pending.join(', ')}` : 'no pending migrations');
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message =
    error instanceof ConfigError || !(error instanceof Error)
      ? String(error instanceof Error ? error.message : error)
      : error.message;
  process.stderr.write(`migrate: ${message}\n`);
  process.exit(1);
});
