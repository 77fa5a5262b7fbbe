import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { pgTypes, SESSION_TIME_ZONE } from './pg-types.js';

export interface DbOptions {
  readonly url: string;
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
  readonly acquireTimeoutMs: number;
}

/** knex settings for one PostgreSQL URL (the course's database.py). */
export function knexConfig(options: DbOptions): Knex.Config {
  return {
    client: 'pg',
    connection: {
      connectionString: options.url,
      // A query stuck behind a lock or a dead server must not hold a request forever.
      statement_timeout: options.statementTimeoutMs,
      connectionTimeoutMillis: options.acquireTimeoutMs,
      application_name: 'fast-zero',
      options: `-c TimeZone=${SESSION_TIME_ZONE}`,
      types: pgTypes,
    },
    // min 0 lets idle connections go, as knex recommends; max is sized against
    // PostgreSQL's max_connections divided by the number of replicas.
    pool: { min: 0, max: options.poolMax },
    acquireConnectionTimeout: options.acquireTimeoutMs,
  };
}

/** Opens the pool and binds Objection to it; the only Model.knex() call. */
export function createDb(options: DbOptions): Knex {
  const db = knexFactory(knexConfig(options));
  Model.knex(db);
  return db;
}
