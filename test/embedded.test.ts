/**
 * src/db/embedded.ts when two processes want the same port: the one that
 * finds it taken by the time PostgreSQL binds it starts on another port.
 */
import { access, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import pg from 'pg';
import { startLocalPostgres } from '../src/db/embedded.js';
import { freePort } from '../src/db/free-port.js';

test('the preferred port, free when chosen, taken before PostgreSQL binds it: started on another one, and remembered', async (t) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-embedded-'));
  await chmod(directory, 0o755);
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const preferred = await freePort();
  const credentials = path.join(directory, 'credentials.json');

  const starting = startLocalPostgres({ directory, database: 'race', persistent: true, preferredPort: preferred });
  // The port is chosen and written down before initdb; take it then, as another process would.
  while (
    !(await access(credentials).then(
      () => true,
      () => false,
    ))
  )
    await sleep(5);
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(preferred, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

  const cluster = await starting;
  t.teardown(() => cluster.stop());
  const port = Number(new URL(cluster.url).port);
  t.not(port, preferred);
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  t.is((await client.query<{ one: number }>('select 1 as one')).rows[0]?.one, 1);
  await client.end();
  const saved = JSON.parse(await readFile(credentials, 'utf8')) as { port: number };
  t.is(saved.port, port, 'the next start tries the port it really got');
});
