import test from 'ava';
import { spawn } from 'node:child_process';
import { freePort } from '../../src/db/free-port.js';
import { waitFor } from './helpers/command.js';
import { ComposeProject } from './helpers/compose.js';
import { inspect, RUN_ID } from './helpers/docker.js';

test("the course's setup: docker-compose.db-port.yml publishes db on 127.0.0.1:DB_PORT, and the API on the host migrates it and gets ready", async (t) => {
  t.timeout(20 * 60_000);
  const dbPort = await freePort();
  const apiPort = await freePort();
  const project = new ComposeProject(
    `${RUN_ID}dbport${process.pid}`,
    ['docker-compose.yml', 'docker-compose.db-port.yml'],
    {
      DB_PORT: String(dbPort),
    },
  );
  t.teardown(() => project.remove());
  await project.run(['up', '-d', 'db'], { timeoutMs: 300_000 });
  const bindings = (await inspect(await project.containerId('db'))).HostConfig.PortBindings;
  t.deepEqual(bindings['5432/tcp'], [{ HostIp: '127.0.0.1', HostPort: String(dbPort) }]);

  // The DATABASE_URL docs/containers.md gives, with only what a shell on the host has besides.
  const api = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: `postgres://app:dev-only-insecure-db-password@localhost:${dbPort}/fast_zero`,
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DB_WAIT_SECONDS: '60',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  api.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  api.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<void>((resolve) => api.on('exit', () => resolve()));
  t.teardown(async () => {
    if (api.exitCode === null && api.signalCode === null) api.kill('SIGTERM');
    await exited;
  });
  await waitFor(
    'the API on the host ready',
    async () => {
      if (api.exitCode !== null) throw new Error(`the API exited ${api.exitCode}:\n${log}`);
      const response = await fetch(`http://127.0.0.1:${apiPort}/health/ready`, {
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      return response?.ok ? true : undefined;
    },
    { timeoutMs: 90_000 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${log}`, { cause: error });
  });
  t.regex(log, /"msg":"migrations applied"/);
});
