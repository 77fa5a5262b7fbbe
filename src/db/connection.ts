import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import pg from 'pg';
import { namedStatementsClient } from './named-statements.js';
import { pgTypes, SESSION_TIME_ZONE } from './pg-types.js';

/** How the API's pool talks to PostgreSQL; every field comes from the configuration. */
export interface PoolOptions {
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  /** Statements named and planned once per connection (named-statements.ts); on unless set to false. */
  readonly preparedStatements?: boolean;
}

export interface DbOptions extends PoolOptions {
  readonly url: string;
  /** Where knex's own warnings go (a pooled connection PostgreSQL closed, a failed connect); the console otherwise. */
  readonly log?: Knex.Logger;
}

/** One connection's settings: shared by the request pool, the migration pool and its lock session. */
export function connectionSettings(
  url: string,
  { statementTimeoutMs, acquireTimeoutMs }: Omit<PoolOptions, 'poolMax'>,
): pg.ClientConfig {
  return {
    connectionString: url,
    // A query stuck behind a lock or a dead server must not hold a request forever (0: no limit).
    statement_timeout: statementTimeoutMs,
    connectionTimeoutMillis: acquireTimeoutMs,
    application_name: 'fast-zero',
    options: `-c TimeZone=${SESSION_TIME_ZONE}`,
    types: pgTypes,
  };
}

/** knex settings for one PostgreSQL URL (the course's database.py). */
export function knexConfig(options: DbOptions): Knex.Config {
  return {
    client: 'pg',
    // The same object pg.Client takes, so the two libraries' types describe one value.
    connection: connectionSettings(options.url, options) as Knex.PgConnectionConfig,
    // min 0 lets idle connections go, as knex recommends; max is sized against
    // PostgreSQL's max_connections divided by the number of replicas.
    pool: { min: 0, max: options.poolMax },
    acquireConnectionTimeout: options.acquireTimeoutMs,
    log: options.log,
  };
}

/** Opens the pool and binds Objection to it; the only Model.knex() call. */
export function createDb(options: DbOptions): Knex {
  const config = knexConfig(options);
  const db = knexFactory(
    options.preparedStatements === false ? config : { ...config, client: namedStatementsClient() },
  );
  Model.knex(db);
  return db;
}

/** Creates `database` through a maintenance connection (`adminUrl`) unless it exists. */
export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
