import { randomBytes } from 'node:crypto';
import { command, CommandError, tail, waitFor, type CommandOptions, type CommandResult } from './command.js';

/**
 * This run's id: set once by test/containers/run.ts for every ava worker, so
 * they share the images it builds and its final clean-up finds everything.
 * Lower-case letters and digits only: it prefixes Compose project names.
 */
export const RUN_ID = process.env.FZ_CONTAINER_RUN ?? `fz${randomBytes(3).toString('hex')}`;
/** The label on every container, network, volume and image this run creates itself. */
export const RUN_LABEL = `fast-zero.test-run=${RUN_ID}`;

/** `docker …` with a bound. */
export function docker(args: readonly string[], options?: CommandOptions): Promise<CommandResult> {
  return command('docker', args, options);
}

let counter = 0;
/** A name no other test, worker or run uses: run id, purpose, worker pid, counter. */
export function uniqueName(purpose: string): string {
  counter += 1;
  return `${RUN_ID}-${purpose}-${process.pid}-${counter}`;
}

/** `docker inspect` of one object, parsed. */
export async function inspect(name: string): Promise<any> {
  const { stdout } = await docker(['inspect', name]);
  return JSON.parse(stdout)[0];
}

/** Everything the container wrote to stdout and stderr so far. */
export async function logs(container: string): Promise<string> {
  return (await docker(['logs', container], { check: false })).output;
}

/** Removes a container and its anonymous volumes; quiet if it is already gone. */
export async function removeContainer(container: string): Promise<void> {
  await docker(['rm', '-f', '-v', container], { check: false });
}

/** The host port Docker published for the container's `port`/tcp. */
export async function publishedPort(container: string, port = 8000): Promise<number> {
  const bindings = (await inspect(container)).NetworkSettings.Ports?.[`${port}/tcp`];
  const hostPort = Number(bindings?.[0]?.HostPort);
  if (!hostPort) throw new Error(`${container}: port ${port} is not published`);
  return hostPort;
}

async function failIfStopped(container: string): Promise<any> {
  const state = (await inspect(container)).State;
  if (!state.Running) {
    throw new Error(`${container} is not running (exit ${state.ExitCode}):\n${tail(await logs(container), 30)}`);
  }
  return state;
}

/** Waits for Docker's own HEALTHCHECK verdict (the image's or Compose's). */
export async function waitHealthy(container: string, timeoutMs = 120_000): Promise<void> {
  try {
    await waitFor(
      `${container} healthy`,
      async () => ((await failIfStopped(container)).Health?.Status === 'healthy' ? true : undefined),
      { timeoutMs, intervalMs: 1000 },
    );
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new Error(`${(error as Error).message}\n${tail(await logs(container), 30)}`, { cause: error });
  }
}

/** Waits until GET /health/ready on the container's published port 8000 answers 200. */
export async function waitReady(container: string, timeoutMs = 90_000): Promise<number> {
  const port = await publishedPort(container);
  try {
    await waitFor(
      `${container} ready`,
      async () => {
        await failIfStopped(container);
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
          signal: AbortSignal.timeout(5000),
        }).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      { timeoutMs },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${tail(await logs(container), 30)}`, { cause: error });
  }
  return port;
}

/** Removes whatever this run created and a test's teardown missed (an interrupted run, a crash). */
export async function removeRunLeftovers(runId: string): Promise<void> {
  const label = `label=fast-zero.test-run=${runId}`;
  const ids = async (args: string[]) =>
    (await docker(args, { check: false })).stdout.split('\n').filter((line) => line.trim() !== '');
  const containers = new Set([
    ...(await ids(['ps', '-aq', '--filter', label])),
    ...(await ids(['ps', '-aq', '--filter', `name=^${runId}`])),
  ]);
  if (containers.size) await docker(['rm', '-f', '-v', ...containers], { check: false, timeoutMs: 60_000 });
  const volumes = new Set([
    ...(await ids(['volume', 'ls', '-q', '--filter', label])),
    ...(await ids(['volume', 'ls', '-q', '--filter', `name=^${runId}`])),
  ]);
  if (volumes.size) await docker(['volume', 'rm', ...volumes], { check: false });
  const networks = new Set([
    ...(await ids(['network', 'ls', '-q', '--filter', label])),
    ...(await ids(['network', 'ls', '-q', '--filter', `name=^${runId}`])),
  ]);
  if (networks.size) await docker(['network', 'rm', ...networks], { check: false });
  const images = await ids(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', label]);
  const composeImages = (await ids(['images', '--format', '{{.Repository}}:{{.Tag}}'])).filter((image) =>
    image.startsWith(runId),
  );
  const all = [...new Set([...images, ...composeImages])].filter((image) => !image.includes('<none>'));
  if (all.length) await docker(['rmi', ...all], { check: false, timeoutMs: 60_000 });
}
