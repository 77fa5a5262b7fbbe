/**
 * A real PgBouncer (Debian's `pgbouncer` package; .ci/run installs it) in
 * front of the test PostgreSQL, in transaction mode, on a free port. Its
 * admin console answers SHOW POOLS / SHOW STATS for the assertions.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../../src/db/free-port.js';

// Debian installs it in /usr/sbin, which a non-root PATH may lack.
const PGBOUNCER = existsSync('/usr/sbin/pgbouncer') ? '/usr/sbin/pgbouncer' : 'pgbouncer';

export interface PgBouncer {
  /** `serverUrl` with PgBouncer's host and port: what the API gets as DATABASE_URL. */
  readonly url: string;
  /** Runs a command on PgBouncer's admin console (SHOW POOLS, SHOW STATS, …). */
  admin(command: string): Promise<Record<string, unknown>[]>;
  readonly log: string[];
  stop(): Promise<void>;
}

/** `pgbouncer --version`'s version, e.g. "1.18.0". */
export function pgbouncerVersion(): string {
  const output = execFileSync(PGBOUNCER, ['--version'], { encoding: 'utf8' });
  const version = /PgBouncer (\d+\.\d+\.\d+)/.exec(output)?.[1];
  if (!version) throw new Error(`cannot read the version from: ${output}`);
  return version;
}

/**
 * Starts PgBouncer for the database of `serverUrl` (whose user and password
 * it also uses), `poolSize` server connections at most.
 */
export async function startPgBouncer(
  serverUrl: string,
  { poolSize, ignoreStartupParameters = [] }: { poolSize: number; ignoreStartupParameters?: readonly string[] },
): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-pgbouncer-'));
  const config = path.join(directory, 'pgbouncer.ini');
  const users = path.join(directory, 'userlist.txt');
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  await writeFile(users, `${quote(user)} ${quote(password)}\n`);
  await writeFile(
    config,
    [
      '[databases]',
      // Any database name a client asks for, on the test PostgreSQL.
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir = ''",
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 200',
      'auth_type = scram-sha-256',
      `auth_file = ${users}`,
      `admin_users = ${user}`,
      `ignore_startup_parameters = ${['extra_float_digits', ...ignoreStartupParameters].join(', ')}`,
      'log_connections = 0',
      'log_disconnections = 0',
    ].join('\n') + '\n',
  );
  // PgBouncer refuses to run as root; as root it switches to `postgres` (which
  // Debian's package brings), and that user must read the files.
  const root = process.getuid?.() === 0;
  if (root) {
    await chmod(directory, 0o755);
    await chmod(config, 0o644);
    await chmod(users, 0o644);
  }
  const child = spawn(PGBOUNCER, [...(root ? ['-u', 'postgres'] : []), config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const collect = (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  const bouncerUrl = new URL(serverUrl);
  bouncerUrl.hostname = '127.0.0.1';
  bouncerUrl.port = String(port);
  const adminUrl = new URL(bouncerUrl);
  adminUrl.pathname = '/pgbouncer';

  const admin = async (command: string) => {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      return (await client.query(command)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
    await rm(directory, { recursive: true, force: true });
  };

  for (let attempt = 0; ; attempt += 1) {
    try {
      await admin('SHOW VERSION');
      break;
    } catch (error) {
      if (attempt >= 50 || child.exitCode !== null) {
        await stop();
        throw new Error(`PgBouncer did not start: ${String(error)}\n${log.join('\n')}`, { cause: error });
      }
      await sleep(100);
    }
  }
  return { url: bouncerUrl.toString(), admin, log, stop };
}
