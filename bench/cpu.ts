/**
 * CPU time from /proc: a server's own process tree, and the PostgreSQL
 * backends serving it. Throughput moves with whatever else shares the cores;
 * CPU per request does not, so it is the efficiency figure the bench judges by.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import pg from 'pg';

// Linux reports utime and stime in clock ticks, USER_HZ, which is 100 on every mainstream kernel.
const MS_PER_TICK = 10;

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, in ms. */
  readonly cpuMs: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    // The fields after the command name, which is in parentheses and may itself hold spaces.
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK };
  } catch {
    return undefined;
  }
}

/** CPU ms of `pid` and every process below it (a server may fork helpers; ours do not, but it is checked). */
export async function processTreeCpuMs(pid: number): Promise<number | undefined> {
  const root = await readStat(pid);
  if (!root) return undefined;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = new Map<number, ProcStat>();
  await Promise.all(
    pids.map(async (other) => {
      const stat = await readStat(other);
      if (stat) stats.set(other, stat);
    }),
  );
  let total = root.cpuMs;
  const pending = [pid];
  while (pending.length > 0) {
    const parent = pending.pop()!;
    for (const [child, stat] of stats) {
      if (stat.ppid === parent && child !== pid) {
        total += stat.cpuMs;
        pending.push(child);
      }
    }
  }
  return total;
}

/** The local TCP ports of `pid`'s sockets: its ends of the connections to PostgreSQL among them. */
async function localPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[9] && inodes.has(fields[9])) ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/**
 * CPU ms of each PostgreSQL backend serving `serverPid`: the backends whose
 * client port is one of that process's sockets (pg_stat_activity), so two
 * servers with the same application_name are still told apart. Undefined when
 * /proc cannot see them (a database on another machine).
 */
export async function backendCpuMs(
  monitor: pg.Client,
  serverPid: number,
): Promise<ReadonlyMap<number, number> | undefined> {
  const { rows } = await monitor.query<{ pid: number }>(
    'select pid from pg_stat_activity where client_port = any($1::int[])',
    [await localPorts(serverPid)],
  );
  const result = new Map<number, number>();
  for (const { pid } of rows) {
    const stat = await readStat(pid);
    if (!stat) return undefined;
    result.set(pid, stat.cpuMs);
  }
  return result;
}

/** CPU used so far: the server's process tree and each of its backends. */
export interface CpuSample {
  readonly serverMs: number;
  readonly backendsMs: ReadonlyMap<number, number> | undefined;
}

/** CPU used between two samples, in ms; a backend born in between counts from zero. */
export function cpuBetween(
  before: CpuSample,
  after: CpuSample,
): { readonly serverMs: number; readonly backendsMs: number | undefined } {
  let backendsMs: number | undefined;
  if (before.backendsMs && after.backendsMs) {
    backendsMs = 0;
    for (const [pid, ms] of after.backendsMs) backendsMs += ms - (before.backendsMs.get(pid) ?? 0);
  }
  return { serverMs: after.serverMs - before.serverMs, backendsMs };
}

/** A session of its own that finds the servers' backends in pg_stat_activity. */
export async function openBackendMonitor(databaseUrl: string) {
  const monitor = new pg.Client({ connectionString: databaseUrl, application_name: 'fast-zero-bench' });
  await monitor.connect();
  return {
    /** The `backends` probe for startServer: CPU ms of each backend serving that process. */
    backends: (serverPid: number) => backendCpuMs(monitor, serverPid),
    close: () => monitor.end(),
  };
}

/** How the floor's connections name themselves in pg_stat_activity (the API's: src/db/connection.ts). */
export const FLOOR_APPLICATION_NAME = 'fast-zero-floor';
