import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_SECRET } from './app.js';
import { ENV } from './test-cluster.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Set once the server logs that it listens. */
  port: number | undefined;
  /** Every stdout/stderr line so far. */
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the server listens; rejects if it exits first. */
  readonly listening: Promise<number>;
  url(pathname: string): string;
}

/** tsx's loader by absolute URL, so a child started in another directory finds it. */
export const TSX_LOADER = import.meta.resolve('tsx');

/**
 * `node`'s arguments to run a TypeScript file of the repository (`src/server.ts`):
 * its JavaScript in this run's build (test/run.ts), else the source under tsx.
 * Absolute paths, so a child started in another directory finds them.
 */
export function nodeArguments(script: string): string[] {
  const build = process.env[ENV.build];
  if (build) return [path.resolve(build, script.replace(/\.ts$/, '.js'))];
  return ['--import', TSX_LOADER, path.resolve(script)];
}

/**
 * The server as a real child process, logging JSON, on a free port. `cwd`
 * (default: the repository) is where it reads `.env` and keeps `.data/`.
 */
export function spawnServer(env: NodeJS.ProcessEnv, { cwd }: { cwd?: string } = {}): ServerProcess {
  const child = spawn(process.execPath, nodeArguments('src/server.ts'), {
    cwd,
    env: {
      PATH: process.env.PATH,
      ENVIRONMENT: 'production',
      SECRET_KEY: TEST_SECRET,
      BCRYPT_ROUNDS: '4',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let resolveListening: (port: number) => void;
  let rejectListening: (error: Error) => void;
  const listening = new Promise<number>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  listening.catch(() => {});
  const server: ServerProcess = {
    child,
    port: undefined,
    lines,
    listening,
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    url: (pathname) => `http://127.0.0.1:${server.port}${pathname}`,
  };
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg?.startsWith('listening') && entry.port) {
          server.port = entry.port;
          resolveListening(entry.port);
        }
      } catch {
        // not a JSON log line (stderr text)
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  void server.exited.then(({ code }) =>
    rejectListening(new Error(`server exited (${code}) before listening:\n${lines.join('\n')}`)),
  );
  return server;
}

/** Kills a spawned server that is still running and waits for it to exit. */
export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await server.exited;
}

/**
 * Runs a TypeScript file of the repository (see nodeArguments) to its end with stdout
 * and stderr in ONE pipe (as a terminal shows them), so the order of lines is the order written.
 */
export async function runScript(
  script: string,
  args: readonly string[],
  { cwd, env = {}, uid }: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn('/bin/sh', ['-c', 'exec "$@" 2>&1', 'sh', process.execPath, ...nodeArguments(script), ...args], {
    cwd,
    uid,
    gid: uid,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  return { code, output };
}
