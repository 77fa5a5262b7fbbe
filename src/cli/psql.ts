import { spawn } from 'node:child_process';
import path from 'node:path';
import dotenv from 'dotenv';
import { loadConfig, readFileSettings } from '../config.js';
import { localCluster, openDatabase } from '../db/open.js';

const log = (message: string) => process.stderr.write(`db:psql: ${message}\n`);

const INSTALL_HINT = `psql is not installed here. Install the PostgreSQL client:
  Debian/Ubuntu: sudo apt-get install postgresql-client
  Fedora:        sudo dnf install postgresql
  macOS:         brew install libpq && brew link --force libpq
  Windows:       the PostgreSQL installer (Command Line Tools only)
or point any PostgreSQL client (VS Code's SQLTools, DBeaver, pgAdmin) at:`;

/** Runs psql with inherited terminal; resolves with its exit code. */
function psql(url: string, args: string[]): Promise<number> {
  // Ctrl-C belongs to psql (it cancels the running query), not to this wrapper.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  return new Promise<number>((resolve, reject) => {
    const child = spawn('psql', [url, ...args], { stdio: 'inherit' });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(`${INSTALL_HINT}\n  ${url}`) : error),
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  }).finally(() => process.off('SIGINT', ignore));
}

/**
 * `npm run db:psql [-- psql options]`: psql on the development database —
 * DATABASE_URL when set, else the embedded PostgreSQL in .data/, shared with
 * a running `npm start` or started for this session only.
 */
async function main(args: string[]): Promise<number> {
  dotenv.config({ quiet: true });
  const config = loadConfig(readFileSettings(process.env), { needsSecret: false });
  const database = await openDatabase({
    url: config.databaseUrl,
    embedded: localCluster(path.resolve('.data')),
    waitSeconds: 0,
    pool: { ...config.db, poolMax: 1 },
    migrate: false,
    log,
  });
  try {
    return await psql(database.url, args);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
