/**
 * Docker Swarm for one test: join or create a one-node swarm, deploy a stack,
 * wait for its services, remove everything the test made. Everything is named
 * after one id, so tests and helpers sharing the engine never collide.
 */
import { execFile } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** `file args…` with a bound; rejects with the command's output when it fails. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export const docker = (args: readonly string[], options?: Parameters<typeof run>[2]) => run('docker', args, options);

/** Polls `probe` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 120_000, intervalMs = 500 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error : new Error(String(error));
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** A TCP port nothing listens on right now (on every address: `mode: host` binds 0.0.0.0). */
export function freeHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Makes this engine a swarm manager if it is not one. Returns whether it did,
 * so the caller leaves only a swarm it created.
 */
export async function ensureSwarm(): Promise<boolean> {
  const { stdout } = await docker(['info', '--format', '{{.Swarm.LocalNodeState}}']);
  if (stdout.trim() === 'active') return false;
  await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  return true;
}

export async function leaveSwarm(): Promise<void> {
  await docker(['swarm', 'leave', '--force']);
}

/** A service's tasks that should be running, with their image and state. */
export async function runningTasks(service: string): Promise<{ id: string; image: string; state: string }[]> {
  const { stdout } = await docker([
    'service',
    'ps',
    service,
    '--filter',
    'desired-state=running',
    '--no-trunc',
    '--format',
    '{{.ID}}\t{{.Image}}\t{{.CurrentState}}',
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, image, state] = line.split('\t') as [string, string, string];
      return { id, image, state };
    });
}

/** The containers of a service's running tasks on this node, with their health. */
export async function serviceContainers(service: string): Promise<{ id: string; health: string }[]> {
  const { stdout } = await docker([
    'ps',
    '--filter',
    `label=com.docker.swarm.service.name=${service}`,
    '--format',
    '{{.ID}}\t{{.Status}}',
  ]);
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, status] = line.split('\t') as [string, string];
      const health = /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1] ?? 'none';
      return { id, health };
    });
}

/** `docker service inspect`'s UpdateStatus.State ('updating', 'completed', 'rollback_started', …). */
export async function updateState(service: string): Promise<{ state: string; message: string } | undefined> {
  const { stdout } = await docker(['service', 'inspect', service, '--format', '{{json .UpdateStatus}}']);
  const status = JSON.parse(stdout) as { State?: string; Message?: string } | null;
  return status?.State ? { state: status.State, message: status.Message ?? '' } : undefined;
}

/**
 * Removes a stack and waits until its containers are gone, then its volumes
 * (which `docker stack rm` keeps) and the images given.
 */
export async function removeStack(stack: string, images: readonly string[]): Promise<void> {
  await docker(['stack', 'rm', stack]).catch(() => {});
  await waitFor(
    `the containers of stack ${stack} to stop`,
    async () => {
      const { stdout } = await docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`]);
      return stdout.trim() === '' ? true : undefined;
    },
    { timeoutMs: 90_000 },
  ).catch(() => {});
  // Swarm removes a task's container a little after the task: force what remains.
  const { stdout: left } = await docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`]);
  if (left.trim()) await docker(['rm', '-f', '-v', ...left.trim().split('\n')]).catch(() => {});
  const { stdout: volumes } = await docker([
    'volume',
    'ls',
    '-q',
    '--filter',
    `label=com.docker.stack.namespace=${stack}`,
  ]);
  for (const volume of volumes.trim().split('\n').filter(Boolean)) {
    await waitFor(`volume ${volume} to be released`, () => docker(['volume', 'rm', volume]).then(() => true), {
      timeoutMs: 30_000,
    }).catch(() => {});
  }
  await waitFor(
    `the networks of stack ${stack} to go`,
    async () => {
      const { stdout } = await docker(['network', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`]);
      return stdout.trim() === '' ? true : undefined;
    },
    { timeoutMs: 30_000 },
  ).catch(() => {});
  if (images.length > 0) await docker(['rmi', ...images]).catch(() => {});
}
