import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface Postmaster {
  readonly pid: number;
  readonly port: number;
}

/** True while a process with this id exists (EPERM: it does, under another user, e.g. `postgres`). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The PostgreSQL running from `dataDir`, per its `postmaster.pid` (line 1 the
 * pid, line 4 the port), when that process is alive; a stale file left by a
 * crash reads as nothing running, as PostgreSQL itself treats it.
 */
export async function runningPostmaster(dataDir: string): Promise<Postmaster | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  return { pid, port };
}

/** Resolves once process `pid` has gone, polling (it may be another user's, so no `exit` event). */
export async function exited(pid: number, intervalMs = 100): Promise<void> {
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
