import { setTimeout } from 'node:timers/promises';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { connectionSettings, knexConfig } from './connection.js';
import { ExtensionlessMigrationSource } from './migration-source.js';

// Any constant works as long as every replica uses the same one: "fz" "migr".
const ADVISORY_LOCK_KEY = 0x667a_6d69;
const TRY_LOCK = 'select pg_try_advisory_lock($1) as locked';
const LOCK_POLL_MS = 100;
const MIGRATIONS_TABLE = 'knex_migrations';

/** The migration settings shared by the server, the CLI and the tests. */
export function migrationConfig(): Knex.MigratorConfig {
  return { migrationSource: new ExtensionlessMigrationSource(), tableName: MIGRATIONS_TABLE };
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

/** Where migrations run: a direct connection (never a transaction-mode pooler, which breaks the session lock). */
export interface MigrationTarget {
  readonly url: string;
  readonly acquireTimeoutMs?: number;
}

const DEFAULT_ACQUIRE_MS = 10_000;

/** Connection settings for migrations: like the request pool's, but with no statement timeout. */
function migrationConnection({ url, acquireTimeoutMs = DEFAULT_ACQUIRE_MS }: MigrationTarget): pg.ClientConfig {
  return connectionSettings(url, { statementTimeoutMs: 0, acquireTimeoutMs });
}

/**
 * A one-connection pool with no statement timeout: the request timeout would
 * cancel a migration on a large table (an index built CONCURRENTLY on a big
 * table takes longer than any request may).
 */
export function migrationDb(target: MigrationTarget): Knex {
  return knexFactory(
    knexConfig({
      url: target.url,
      poolMax: 1,
      statementTimeoutMs: 0,
      acquireTimeoutMs: target.acquireTimeoutMs ?? DEFAULT_ACQUIRE_MS,
    }),
  );
}

/** Runs `fn` on a migration pool while holding the advisory lock, then closes both. */
async function migrating<T>(target: MigrationTarget, fn: (migrator: Knex) => Promise<T>): Promise<T> {
  const migrator = migrationDb(target);
  try {
    return await withMigrationLock(migrationConnection(target), () => fn(migrator));
  } finally {
    await migrator.destroy();
  }
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function migrateLatest(target: MigrationTarget): Promise<string[]> {
  // Rolling the app back to a release older than the schema must not stop it: knex would call
  // the migrations it does not know "corrupt"; they stay applied and the server logs them.
  const config = { ...migrationConfig(), disableMigrationsListValidation: true };
  const [, applied] = (await migrating(target, (m) => m.migrate.latest(config))) as [number, string[]];
  return applied;
}

/** Rolls back the last batch, or everything with `all`. */
export async function migrateRollback(target: MigrationTarget, all = false): Promise<string[]> {
  const [, undone] = (await migrating(target, (m) => m.migrate.rollback(migrationConfig(), all))) as [number, string[]];
  return undone;
}

/**
 * This release's migrations and the database's applied ones. Read without
 * knex's `migrate.list`, which creates its bookkeeping tables: a probe must
 * not write to a database that RUN_MIGRATIONS=0 leaves alone.
 */
async function migrationNames(db: Knex): Promise<{ known: string[]; applied: Set<string> }> {
  const source = new ExtensionlessMigrationSource();
  const known = (await source.getMigrations()).map((migration) => source.getMigrationName(migration));
  if (!(await db.schema.hasTable(MIGRATIONS_TABLE))) return { known, applied: new Set() };
  const rows = await db(MIGRATIONS_TABLE).select<{ name: string }[]>('name');
  return { known, applied: new Set(rows.map((row) => row.name)) };
}

/** Names of migrations not yet applied; the readiness probe reports them. */
export async function pendingMigrations(db: Knex): Promise<string[]> {
  const { known, applied } = await migrationNames(db);
  return known.filter((name) => !applied.has(name));
}

/** Applied migrations this release does not know: the schema is ahead of the code (an app rollback). */
export async function unknownMigrations(db: Knex): Promise<string[]> {
  const { known, applied } = await migrationNames(db);
  return [...applied].filter((name) => !known.includes(name)).sort();
}
