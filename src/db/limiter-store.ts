import type { Knex } from 'knex';
import type pg from 'pg';
import { RateLimiterPostgres } from 'rate-limiter-flexible';

/** Created by a migration, so the app needs no DDL rights; every limiter keeps its keys here under its prefix. */
export const RATE_LIMITS_TABLE = 'rate_limits';

export interface LimiterSettings {
  readonly keyPrefix: string;
  readonly points: number;
  readonly duration: number;
  readonly blockDuration?: number;
  /** Deletes expired rows every five minutes; one limiter per process is enough for the shared table. */
  readonly sweeps?: boolean;
}

/** rate-limiter-flexible's sweep, which its type declarations leave out. */
export type SweepingLimiter = RateLimiterPostgres & { clearExpired(expireBefore: number): Promise<void> };

/**
 * A rate-limiter-flexible counter in PostgreSQL, on the app's own knex pool.
 * The library names its statements; behind PgBouncer before 1.21 in
 * transaction mode a statement prepared on one server connection is missing
 * on the next, so with `preparedStatements` off they go unnamed.
 */
export function createLimiter(
  db: Knex,
  { preparedStatements }: { readonly preparedStatements: boolean },
  settings: LimiterSettings,
): SweepingLimiter {
  const pool = db.client as {
    acquireConnection(): Promise<pg.PoolClient>;
    releaseConnection(connection: pg.PoolClient): Promise<void>;
  };
  const storeClient = {
    async query(query: pg.QueryConfig): Promise<pg.QueryResult> {
      const connection = await pool.acquireConnection();
      try {
        return await connection.query(preparedStatements ? query : { text: query.text, values: query.values });
      } finally {
        await pool.releaseConnection(connection);
      }
    },
  };
  return new RateLimiterPostgres({
    storeClient,
    storeType: 'pool',
    tableName: RATE_LIMITS_TABLE,
    tableCreated: true,
    clearExpiredByTimeout: settings.sweeps ?? false,
    keyPrefix: settings.keyPrefix,
    points: settings.points,
    duration: settings.duration,
    blockDuration: settings.blockDuration ?? 0,
  }) as SweepingLimiter;
}
