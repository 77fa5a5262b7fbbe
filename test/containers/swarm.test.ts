/**
 * deploy/swarm/stack.yml on a real (one-node) Docker Swarm: three API
 * replicas behind HAProxy, rolled to a new image while a bounded load signs
 * in, reads and writes through the load balancer. Nothing may fail, every
 * acknowledged write must be in the database, and migrations run once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { extraCaCerts } from './helpers/images.js';
import { startLoad, summarise, type Account } from './helpers/load.js';
import {
  docker,
  ensureSwarm,
  freeHostPort,
  leaveSwarm,
  removeStack,
  runningTasks,
  serviceContainers,
  updateState,
  waitFor,
} from './helpers/swarm.js';

const STACK_FILE = 'deploy/swarm/stack.yml';
const REPLICAS = 3;
const CLIENTS = 4;
// The load runs this long before the update starts and after it completes.
const STEADY_MS = 5_000;
const ROLLOUT_TIMEOUT_MS = 240_000;

async function psql(stack: string, sql: string): Promise<string> {
  const { stdout: id } = await docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_db`]);
  const { stdout } = await docker(['exec', id.trim(), 'psql', '-U', 'app', '-d', 'fast_zero', '-Atc', sql]);
  return stdout.trim();
}

/** What the stack's services and tasks say, for a failure's message. */
async function diagnose(stack: string): Promise<string> {
  const parts: string[] = [];
  for (const service of ['api', 'db', 'haproxy']) {
    const format = '{{.ID}} {{.Name}} {{.Image}} {{.DesiredState}} {{.CurrentState}} {{.Error}}';
    const ps = await docker(['service', 'ps', '--no-trunc', '--format', format, `${stack}_${service}`]).catch(
      (error: Error) => ({ stdout: error.message }),
    );
    // Why each finished task ended: its exit code and the orchestrator's message.
    const ended = ps.stdout
      .split('\n')
      .filter((line) => / (Shutdown|Failed|Rejected|Complete) /.test(line))
      .map((line) => line.split(' ')[0]!);
    let why = '';
    for (const task of ended.slice(0, 10)) {
      const { stdout } = await docker([
        'inspect',
        '--format',
        '{{.ID}} exit={{.Status.ContainerStatus.ExitCode}} state={{.Status.State}} {{.Status.Message}} {{.Status.Err}}',
        task,
      ]).catch((error: Error) => ({ stdout: error.message }));
      why += stdout;
    }
    const logs = await docker(['service', 'logs', '--raw', '--tail', '15', `${stack}_${service}`]).catch(
      (error: Error) => ({ stdout: error.message, stderr: '' }),
    );
    parts.push(`--- ${service}\n${ps.stdout}\n${why}\n${logs.stdout}${'stderr' in logs ? logs.stderr : ''}`);
  }
  return parts.join('\n');
}

/** Waits until the API service runs `replicas` healthy tasks of `image` and HAProxy routes to them. */
async function waitForApi(stack: string, image: string, baseUrl: string): Promise<void> {
  await waitFor(
    `${REPLICAS} healthy tasks of ${image}`,
    async () => {
      const tasks = await runningTasks(`${stack}_api`);
      const containers = await serviceContainers(`${stack}_api`);
      const ready =
        tasks.length === REPLICAS &&
        tasks.every((task) => task.image.startsWith(image) && task.state.startsWith('Running')) &&
        containers.length === REPLICAS &&
        containers.every((container) => container.health === 'healthy');
      return ready ? true : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}\n${await diagnose(stack)}`);
  });
  await waitFor(
    'HAProxy to answer ready',
    async () =>
      (await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined))?.status ===
      200
        ? true
        : undefined,
    { timeoutMs: 30_000 },
  );
}

test('a rolling update of 3 replicas behind HAProxy under load loses no request and no write; migrations run once', async (t) => {
  t.timeout(900_000);
  const id = `fzswarm${randomBytes(3).toString('hex')}`;
  const stack = id;
  const api = `${id}-api`;
  const images = { v1: `${api}:1`, v2: `${api}:2`, haproxy: `${id}-haproxy:1` };
  const secrets = await mkdtemp(path.join(os.tmpdir(), `${id}-`));
  const createdSwarm = await ensureSwarm();
  t.teardown(async () => {
    await removeStack(stack, Object.values(images));
    await rm(secrets, { recursive: true, force: true });
    if (createdSwarm) await leaveSwarm();
  });

  // Two releases of the same code: v2 differs only by a label, which is what
  // makes Swarm replace every task.
  const ca = extraCaCerts();
  await docker(['build', '-q', '--build-arg', 'EXTRA_CA_CERTS', '-t', images.v1, '.'], {
    env: { ...process.env, EXTRA_CA_CERTS: ca },
    timeoutMs: 600_000,
  });
  await docker(['build', '-q', '-t', images.v2, '-'], {
    input: `FROM ${images.v1}\nLABEL fast-zero.release=2\n`,
  });
  await docker(['build', '-q', '-t', images.haproxy, 'deploy/swarm/haproxy'], { timeoutMs: 600_000 });

  const password = randomBytes(12).toString('hex');
  await writeFile(path.join(secrets, 'secret_key'), randomBytes(32).toString('hex'), { mode: 0o600 });
  await writeFile(path.join(secrets, 'db_password'), password, { mode: 0o600 });
  await writeFile(path.join(secrets, 'database_url'), `postgres://app:${password}@db:5432/fast_zero`, { mode: 0o600 });

  const port = await freeHostPort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const deploy = (image: string) =>
    docker(['stack', 'deploy', '-c', STACK_FILE, stack], {
      env: {
        ...process.env,
        API_IMAGE: image,
        HAPROXY_IMAGE: images.haproxy,
        HTTP_PORT: String(port),
        SECRETS_DIR: secrets,
        // Cheap hashing keeps the test's CPU on the rollout, not on bcrypt.
        BCRYPT_ROUNDS: '4',
        // Four clients signing in over and over from one address are the load, not an attack.
        LOGIN_RATE_LIMIT: '0',
      },
    });

  await deploy(images.v1);
  await waitForApi(stack, images.v1, baseUrl);
  t.log(`stack ${stack} up: ${REPLICAS} API tasks of ${images.v1}, HAProxy on ${baseUrl}`);

  const accounts: Account[] = [];
  for (let index = 0; index < CLIENTS; index += 1) {
    const account = { email: `load${index}@example.com`, password: `load-password-${index}` };
    const response = await fetch(`${baseUrl}/users/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `load${index}`, ...account }),
    });
    t.is(response.status, 201, await response.text());
    accounts.push(account);
  }

  const load = startLoad(baseUrl, accounts);
  await sleep(STEADY_MS);
  const rolloutStart = load.now();
  await deploy(images.v2);
  await waitFor(
    'the rolling update to complete',
    async () => {
      const status = await updateState(`${stack}_api`);
      if (status && status.state !== 'updating' && status.state !== 'completed') {
        throw new Error(`update ${status.state}: ${status.message}`);
      }
      return status?.state === 'completed' ? true : undefined;
    },
    { timeoutMs: ROLLOUT_TIMEOUT_MS, intervalMs: 500 },
  );
  await waitForApi(stack, images.v2, baseUrl);
  const rolloutEnd = load.now();
  await sleep(STEADY_MS);
  await load.stop();

  const all = summarise(load.samples);
  const rollout = summarise(load.samples, rolloutStart, rolloutEnd);
  const round = (ms: number) => `${Math.round(ms)} ms`;
  const figures =
    `swarm rollout: ${all.requests} requests in ${round(load.now())} (${CLIENTS} clients), ${all.failed} failed; ` +
    `during the ${round(rolloutEnd - rolloutStart)} rollout: ${rollout.requests} requests, ${rollout.failed} failed, ` +
    `p50 ${round(rollout.p50)}, p99 ${round(rollout.p99)}, worst ${round(rollout.worst)} ` +
    `(${rollout.worstRequest?.what ?? '-'}); worst overall ${round(all.worst)}`;
  t.log(figures);
  // Printed also outside ava's verbose log, so CI's output carries the figures.
  process.stdout.write(`${figures}\n`);

  t.true(rollout.requests > 0);
  t.is(all.failed, 0, `${all.failures.join('\n')}\n${all.failed > 0 ? await diagnose(stack) : ''}`);

  // Every write the API acknowledged is in the database.
  const stored = new Set((await psql(stack, 'select title from todos')).split('\n').filter(Boolean));
  const missing = [...load.acknowledged].filter((title) => !stored.has(title));
  t.true(load.acknowledged.size > 0);
  t.deepEqual(missing, []);

  // Migrations ran once: each file has one row, all from one batch (one run took the lock).
  const files = (await readdir('migrations')).filter((file) => file.endsWith('.ts'));
  const rows = (await psql(stack, 'select name, batch from knex_migrations order by id')).split('\n').filter(Boolean);
  t.is(rows.length, files.length, rows.join('\n'));
  t.is(new Set(rows.map((row) => row.split('|')[0])).size, files.length);
  t.deepEqual(new Set(rows.map((row) => row.split('|')[1])), new Set(['1']));
});
