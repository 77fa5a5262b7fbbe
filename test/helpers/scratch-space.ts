/**
 * Where a test run keeps its throwaway files: PostgreSQL clusters, the
 * database each test file copies, the folders the process tests start
 * servers in. Every CREATE DATABASE writes about 300 small files and every
 * DROP removes them; on this machine's ext4 that costs a third of the suite's
 * CPU time in the kernel, on a tmpfs almost nothing (copying the cached
 * cluster: 0.8 s on ext4, 0.06 s on /dev/shm).
 */
import { statfs } from 'node:fs/promises';

/** Linux's memory-backed /dev/shm; Docker gives containers 64 MB of it unless told otherwise. */
const SHARED_MEMORY = '/dev/shm';
/** A run holds about 160 MB at its peak (clusters, copies, logs): three times that. */
export const NEEDED_BYTES = 512 * 1024 ** 2;
/** The magic number statfs reports for a tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

/** True when `folder` is on a tmpfs with `bytes` free; false for anything else, missing folders included. */
export async function tmpfsWithRoom(folder: string, bytes: number): Promise<boolean> {
  try {
    const fs = await statfs(folder);
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= bytes;
  } catch {
    return false;
  }
}

/**
 * /dev/shm when it is a tmpfs with room for a run, else undefined (macOS,
 * a container's small default, a full one): the tests then use the usual
 * temp folder.
 */
export async function memoryBackedTmpdir(): Promise<string | undefined> {
  return (await tmpfsWithRoom(SHARED_MEMORY, NEEDED_BYTES)) ? SHARED_MEMORY : undefined;
}
