/**
 * Run as a process of its own by test/embedded.test.ts: starts an embedded
 * PostgreSQL, prints its postmaster's pid, and crashes without stopping it.
 * Usage: node embedded-crash.js <empty directory>
 */
import path from 'node:path';
import { startLocalPostgres } from '../../src/db/embedded.js';
import { runningPostmaster } from '../../src/db/postmaster.js';

const directory = process.argv[2]!;
await startLocalPostgres({ directory, database: 'crash', persistent: true, fast: true });
const postmaster = await runningPostmaster(path.join(directory, 'postgres'));
process.stdout.write(`${postmaster?.pid}\n`);
throw new Error('crashed on purpose, the cluster still running');
