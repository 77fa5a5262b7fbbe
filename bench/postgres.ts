import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db.js';
import { startLocalPostgres } from '../src/local-postgres.js';
import { migrateLatest } from '../src/migrator.js';

export interface BenchDatabase {
  readonly url: string;
  readonly embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The given PostgreSQL, or a throwaway embedded one. Durable settings (no
 * `fast` mode): POST and PATCH figures include a real commit's fsync.
 */
export async function openDatabase(given: string | undefined, log: (m: string) => void): Promise<BenchDatabase> {
  if (given) return { url: given, embedded: false, stop: async () => {} };
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-bench-'));
  try {
    const local = await startLocalPostgres({ directory, database: 'fast_zero_bench', persistent: false, log });
    return {
      url: local.url,
      embedded: true,
      async stop() {
        await local.stop();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Applies the app's migrations, exactly as the server does at start-up. */
export async function migrate(url: string): Promise<string[]> {
  const db = createDb({ url, poolMax: 2, statementTimeoutMs: 600_000, acquireTimeoutMs: 10_000 });
  try {
    return await migrateLatest(db);
  } finally {
    await db.destroy();
  }
}
