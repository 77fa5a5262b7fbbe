import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createDatabaseIfMissing, createDb, withDatabase, type PoolOptions } from './connection.js';
import { DEVELOPMENT_PORT, startLocalPostgres } from './embedded.js';
import { migrateLatest } from './migrator.js';
import { waitForDatabase } from './wait.js';

export interface OpenOptions {
  /** DATABASE_URL. Without it an embedded PostgreSQL is started (loadConfig refuses that outside local). */
  readonly url?: string;
  /** The embedded cluster, used only without `url`; no `directory` means a temporary one, deleted on close. */
  readonly embedded?: {
    readonly directory?: string;
    readonly database: string;
    readonly fast?: boolean;
    /** Stable port of a persistent cluster (see startLocalPostgres). */
    readonly preferredPort?: number;
  };
  /** Create the URL's database when it does not exist (the test runner's template). */
  readonly createDatabase?: boolean;
  /** A direct connection for migrations when `url` goes through a pooler; defaults to `url`. */
  readonly migrationsUrl?: string;
  /** How long to wait for PostgreSQL to answer; 0 means one attempt. */
  readonly waitSeconds: number;
  readonly pool: PoolOptions;
  /** Apply pending migrations before returning (under the advisory lock). */
  readonly migrate: boolean;
  readonly log: (message: string) => void;
  /** knex's warnings about the request pool's connections (see createDb); the console otherwise. */
  readonly knexLog?: Knex.Logger;
  /** Abandons start-up at the next step (what was started is stopped again). */
  readonly signal?: AbortSignal;
}

export interface Database {
  /** The request pool, bound to Objection. */
  readonly db: Knex;
  readonly url: string;
  readonly migrationsUrl: string;
  /** Migrations applied by this call, oldest first. */
  readonly applied: readonly string[];
  /** Closes the pool, then stops an embedded cluster (and removes a temporary one); safe to call twice. */
  close(): Promise<void>;
}

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** The development cluster of `npm start`, the migrate command and `npm run db:psql`, kept in `directory` (.data). */
export const localCluster = (directory: string) =>
  ({ directory, database: 'fast_zero', preferredPort: DEVELOPMENT_PORT }) as const;

async function startEmbedded(
  options: NonNullable<OpenOptions['embedded']>,
  log: (m: string) => void,
  signal?: AbortSignal,
): Promise<Server> {
  const temporary = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(os.tmpdir(), 'fast-zero-pg-')));
  const removeTemporary = () =>
    temporary ? rm(directory, { recursive: true, force: true, maxRetries: 3 }) : Promise.resolve();
  if (!temporary) log(`DATABASE_URL is not set: using an embedded PostgreSQL with its data in ${directory}`);
  try {
    const local = await startLocalPostgres({
      directory,
      database: options.database,
      persistent: !temporary,
      fast: options.fast,
      preferredPort: options.preferredPort,
      log,
      signal,
    });
    return { url: local.url, stop: () => local.stop().finally(removeTemporary) };
  } catch (error) {
    await removeTemporary();
    throw error;
  }
}

/**
 * The one way to open the database (the course's database.py), for the
 * server, the migrate command, the test runner and the bench: resolve the URL
 * or start the embedded PostgreSQL → wait until it answers → create the pool
 * → migrate if asked. Whatever was started is stopped again if a step fails.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const server: Server = options.url
    ? { url: options.url, stop: async () => {} }
    : await startEmbedded(options.embedded ?? { database: 'fast_zero' }, options.log, options.signal);
  let db: Knex | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await db?.destroy();
      } finally {
        await server.stop();
      }
    })());

  try {
    const migrationsUrl = options.url ? (options.migrationsUrl ?? options.url) : server.url;
    await waitForDatabase({
      url: options.createDatabase ? withDatabase(server.url, 'postgres') : server.url,
      seconds: options.waitSeconds,
      log: options.log,
    });
    options.signal?.throwIfAborted();
    if (options.createDatabase) {
      await createDatabaseIfMissing(
        withDatabase(server.url, 'postgres'),
        decodeURIComponent(new URL(server.url).pathname.slice(1)),
      );
    }
    db = createDb({ url: server.url, ...options.pool, log: options.knexLog });
    const applied = options.migrate
      ? await migrateLatest({ url: migrationsUrl, acquireTimeoutMs: options.pool.acquireTimeoutMs })
      : [];
    return { db, url: server.url, migrationsUrl, applied, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
