import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved as they arrived, for messages and log greps. */
  readonly output: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

export interface CommandOptions {
  /** Killed (TERM, then KILL 5 s later) after this long; every command has a bound. */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Throw unless the exit code is 0 (default true). */
  readonly check?: boolean;
}

export class CommandError extends Error {
  constructor(
    readonly commandLine: string,
    readonly result: CommandResult,
  ) {
    const why = result.timedOut ? 'timed out' : `exited ${result.code ?? result.signal}`;
    super(`${commandLine} ${why} after ${result.ms} ms:\n${tail(result.output, 40)}`);
  }
}

/** The last `lines` lines of `text`: enough of a log to see why something failed. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a program (no shell) and collects its output. */
export function command(file: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const { timeoutMs = 120_000, env = process.env, cwd, check = true } = options;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), (output += chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), (output += chunk)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr, output, ms: Date.now() - started, timedOut };
      if (check && (code !== 0 || timedOut)) reject(new CommandError([file, ...args].join(' '), result));
      else resolve(result);
    });
  });
}

/** Polls `probe` until it returns a value other than undefined, or throws when `timeoutMs` has passed. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 500 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const late = new Error(`${what}: not within ${timeoutMs / 1000} s`);
  for (;;) {
    // A probe that never settles (a connection accepted and never answered) cannot outlast the deadline.
    let timer: NodeJS.Timeout | undefined;
    const value = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(late), Math.max(deadline - Date.now(), 0));
      }),
    ]).finally(() => clearTimeout(timer));
    if (value !== undefined) return value;
    if (Date.now() + intervalMs > deadline) throw late;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
