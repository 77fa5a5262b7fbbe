/**
 * Run as a process of its own by test/embedded.test.ts: starts an embedded
 * PostgreSQL whose preferred port another process takes between the choice
 * and the bind, stops it, prints what happened as one JSON line, and then
 * lets the event loop run dry, as a finished `npm start` or test run does.
 * Usage: node embedded-port-race.js <empty directory>
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startLocalPostgres } from '../../src/db/embedded.js';
import { freePort } from '../../src/db/free-port.js';

export interface PortRaceReport {
  readonly preferred: number;
  readonly port: number;
  readonly saved: number;
  readonly answered: boolean;
  /** When the work was done (Date.now()): what follows until the process exits is lingering. */
  readonly doneAt: number;
}

const directory = process.argv[2]!;
const preferred = await freePort();
const credentials = path.join(directory, 'credentials.json');
const starting = startLocalPostgres({ directory, database: 'race', persistent: true, preferredPort: preferred });
// The port is chosen and written down before initdb; take it then, as another process would.
while (!existsSync(credentials)) await sleep(5);
const squatter = net.createServer();
await new Promise<void>((resolve) => squatter.listen(preferred, '127.0.0.1', resolve));

const cluster = await starting;
const client = new pg.Client({ connectionString: cluster.url });
await client.connect();
const answered = (await client.query<{ one: number }>('select 1 as one')).rows[0]?.one === 1;
await client.end();
await cluster.stop();
squatter.close();
const { port: saved } = JSON.parse(await readFile(credentials, 'utf8')) as { port: number };
const report: PortRaceReport = {
  preferred,
  port: Number(new URL(cluster.url).port),
  saved,
  answered,
  doneAt: Date.now(),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
