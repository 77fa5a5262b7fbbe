import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { processTreeCpuMs, type CpuSample } from './cpu.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Inside node_modules, so the compiled files resolve packages as dist/ does, and git ignores them.
const BUILD_DIR = path.join(ROOT, 'node_modules', '.cache', 'fast-zero-bench');

/** A measured server process: its URL, and probes into its memory and event loop. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** VmRSS in bytes, or undefined when the process is not ours to read. */
  rss(): Promise<number | undefined>;
  /** CPU used so far by the server's process tree and its PostgreSQL backends; undefined when not ours to read. */
  cpu(): Promise<CpuSample | undefined>;
  resetEventLoopDelay(): Promise<void>;
  /** Event-loop delay in ms since the last reset, beyond the probe's timer interval. */
  eventLoopDelay(): Promise<{ p99: number; max: number } | undefined>;
  stop(): Promise<void>;
}

/** `tsc -p <tree>/bench/tsconfig.build.json`, with this tree's TypeScript; `outDir` overrides the project's. */
async function compileBench(tree: string, outDir?: string): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(tree, 'bench', 'tsconfig.build.json'),
      ...(outDir ? ['--outDir', outDir] : []),
    ],
    { cwd: ROOT },
  );
}

/**
 * Compiles src/, migrations/ and the floor with the project's build settings
 * into node_modules/.cache, not dist/: others may be using dist/ meanwhile.
 */
export async function build(): Promise<void> {
  await compileBench(ROOT);
}

/**
 * Builds git revision `ref` as `build()` builds this tree: its src/, migrations/
 * and bench/ extracted (`git archive`) under node_modules/.cache, so the compiled
 * files resolve this tree's packages (a revision that needs another package
 * than this tree has cannot be built), then compiled there. Returns the API's entry.
 */
export async function buildRevision(ref: string): Promise<{ api: string; commit: string }> {
  const run = promisify(execFile);
  const { stdout } = await run('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: ROOT });
  const commit = stdout.trim();
  const tree = path.join(ROOT, 'node_modules', '.cache', 'fast-zero-bench-revision', commit);
  await rm(tree, { recursive: true, force: true });
  await mkdir(tree, { recursive: true });
  const paths = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'migrations', 'bench'];
  await run('sh', ['-c', `git archive "$1" -- ${paths.join(' ')} | tar -x -C "$2"`, 'sh', commit, tree], {
    cwd: ROOT,
  });
  await compileBench(tree, path.join(tree, 'build')).catch((error: Error & { stdout?: string }) => {
    // It compiles against this tree's node_modules: a package only the revision uses is missing.
    throw new Error(`${ref} (${commit}) does not compile with this tree's packages:\n${error.stdout ?? error.message}`);
  });
  return { api: path.join(tree, 'build', 'src', 'server.js'), commit };
}

async function waitUntilServing(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`server at ${url} did not answer within 60 s: ${stderr()}`);
}

/** Asks the preloaded probe a question over IPC and waits for its answer. */
function ask<T>(child: ChildProcess, question: string): Promise<T | undefined> {
  if (!child.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      resolve(undefined);
    }, 5_000);
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('eld' in message)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve((message as { eld: T }).eld);
    };
    child.on('message', onMessage);
    child.send(question);
  });
}

async function readRss(pid: number): Promise<number | undefined> {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts `node [--import tsx] --import bench/probe.mjs <entry>` with `env`.
 * Node itself is the child (no npm or shell in between), so its pid is the
 * process whose memory is read. stdout (the access log) goes to /dev/null:
 * it is still written, as in production, but nobody has to read it.
 */
export async function startServer(options: {
  entry: string;
  nodeOptions?: readonly string[];
  /** bench/probe.ts, for the event-loop delay; without it eventLoopDelay() gives undefined. */
  probe?: string;
  tsx: boolean;
  env: Record<string, string>;
  port: number;
  readyPath: string;
  /** CPU ms so far of each PostgreSQL backend serving the process with this pid (bench/cpu.ts). */
  backends?: (pid: number) => Promise<ReadonlyMap<number, number> | undefined>;
}): Promise<ServerProcess> {
  const args = [
    ...(options.nodeOptions ?? []),
    ...(options.tsx ? ['--import', 'tsx'] : []),
    ...(options.probe ? ['--import', options.probe] : []),
    options.entry,
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(url + options.readyPath, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    pid: child.pid,
    rss: () => (child.pid === undefined ? Promise.resolve(undefined) : readRss(child.pid)),
    async cpu() {
      const serverMs = child.pid === undefined ? undefined : await processTreeCpuMs(child.pid);
      if (serverMs === undefined) return undefined;
      return { serverMs, backendsMs: await options.backends?.(child.pid!) };
    },
    resetEventLoopDelay: async () => {
      if (options.probe) await ask(child, 'eld:reset');
    },
    eventLoopDelay: () => (options.probe ? ask(child, 'eld:read') : Promise.resolve(undefined)),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** An API this bench did not start: only its URL is known. */
export function remoteServer(url: string): ServerProcess {
  return {
    url,
    pid: undefined,
    rss: () => Promise.resolve(undefined),
    cpu: () => Promise.resolve(undefined),
    resetEventLoopDelay: async () => {},
    eventLoopDelay: () => Promise.resolve(undefined),
    stop: async () => {},
  };
}

/**
 * The node flags of `npm run start:prod`, which the production image's CMD
 * repeats (test/containers checks that): the API is measured as it runs.
 */
export async function productionNodeFlags(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [command, ...words] = (manifest.scripts['start:prod'] ?? '').split(/\s+/);
  if (command !== 'node') throw new Error('package.json start:prod no longer starts with node');
  return words.filter((word) => word.startsWith('--'));
}

/** Where the entry points and the probe are, compiled or from sources. */
export function entries(tsx: boolean): { api: string; floor: string; probe: string } {
  const [dir, ext] = tsx ? [ROOT, '.ts'] : [BUILD_DIR, '.js'];
  return {
    api: path.join(dir, 'src', `server${ext}`),
    floor: path.join(dir, 'bench', `floor-server${ext}`),
    probe: path.join(dir, 'bench', `probe${ext}`),
  };
}
