import { setTimeout } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { ExtensionlessMigrationSource } from './migration-source.js';

// Any constant works as long as every replica uses the same one: "fz" "migr".
const ADVISORY_LOCK_KEY = 0x667a_6d69;
const TRY_LOCK = 'select pg_try_advisory_lock($1) as locked';
const LOCK_POLL_MS = 100;

/** The migration settings shared by the server, the CLI and the tests. */
export function migrationConfig(): Knex.MigratorConfig {
  return { migrationSource: new ExtensionlessMigrationSource(), tableName: 'knex_migrations' };
}

/**
 * Runs `fn` while holding a PostgreSQL advisory lock on its own connection.
 * knex's own lock table is created without locking, so replicas starting
 * together on an empty database can collide creating it (knex issue 3538).
 */
async function withMigrationLock<T>(connection: pg.ClientConfig, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client(connection);
  client.on('error', () => {});
  await client.connect();
  try {
    // Not pg_advisory_lock(): a session blocked in it holds a snapshot, and CREATE INDEX
    // CONCURRENTLY (run by the lock holder) waits for every older snapshot in the database,
    // so the two would wait on each other until statement_timeout. Between tries a poller holds none.
    while (!(await client.query<{ locked: boolean }>(TRY_LOCK, [ADVISORY_LOCK_KEY])).rows[0]?.locked) {
      await setTimeout(LOCK_POLL_MS);
    }
    return await fn();
  } finally {
    // Closing the session releases the lock even if the unlock fails.
    await client.query('select pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => {});
    await client.end().catch(() => {});
  }
}

/**
 * A one-connection pool like `db` but with no statement timeout: the request
 * timeout would cancel a migration on a large table (an index built
 * CONCURRENTLY on a million rows takes longer than any request may).
 */
export function migrationDb(db: Knex): Knex {
  const config = (db.client as { config: Knex.Config }).config;
  // The same object knexConfig() built for pg, so the two libraries' types describe one value.
  const connection = migrationConnection(db) as Knex.PgConnectionConfig;
  return knexFactory({ ...config, connection, pool: { min: 0, max: 1 } });
}

/** `db`'s connection settings (from knexConfig in db.ts) without the statement timeout. */
function migrationConnection(db: Knex): pg.ClientConfig {
  const { connection } = (db.client as { config: { connection: pg.ClientConfig } }).config;
  return { ...connection, statement_timeout: 0 };
}

/** Runs `fn` on a migration pool and the advisory lock (both on `db`'s database), then closes both. */
async function migrating<T>(db: Knex, fn: (migrator: Knex) => Promise<T>): Promise<T> {
  const migrator = migrationDb(db);
  try {
    return await withMigrationLock(migrationConnection(db), () => fn(migrator));
  } finally {
    await migrator.destroy();
  }
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await migrating(db, (m) => m.migrate.latest(migrationConfig()))) as [number, string[]];
  return applied;
}

/** Rolls back the last batch, or everything with `all`. */
export async function migrateRollback(db: Knex, all = false): Promise<string[]> {
  const [, undone] = (await migrating(db, (m) => m.migrate.rollback(migrationConfig(), all))) as [number, string[]];
  return undone;
}

/** Names of migrations not yet applied; the readiness probe reports them. */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  const [, pending] = (await db.migrate.list(migrationConfig())) as [unknown[], { name: string }[]];
  return pending.map((migration) => migration.name);
}
