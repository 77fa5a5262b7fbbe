import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/free-port.js';

/** One entry of Prism's `sl-violations` header. */
export interface Violation {
  readonly location: readonly (string | number)[];
  readonly severity: 'Error' | 'Warning' | 'Information' | 'Hint';
  readonly code?: string | number;
  readonly message: string;
}

export interface PrismProxy {
  /** Prism's own address; requests sent here are validated, forwarded upstream, and the answer validated. */
  readonly url: string;
  /** Everything Prism printed, for failure messages. */
  readonly lines: string[];
  stop(): Promise<void>;
}

/** The violations Prism found in one exchange (none: no header). */
export function violationsOf(headers: Headers): Violation[] {
  const header = headers.get('sl-violations');
  return header ? (JSON.parse(header) as Violation[]) : [];
}

/**
 * Stoplight Prism's validating proxy (`prism proxy`) in front of `upstream`,
 * built from the document it fetches from `documentUrl`: it forwards every
 * request, even an invalid one, and reports in an `sl-violations` header where
 * the request or the response departs from the document.
 */
export async function startPrismProxy(documentUrl: string, upstream: string): Promise<PrismProxy> {
  const port = await freePort();
  // Prism reads the document from a file: its own download of a URL fails on
  // Node 24 (the dev container's), whose fetch rejects the AbortSignal polyfill it passes.
  const response = await fetch(documentUrl);
  if (!response.ok) throw new Error(`GET ${documentUrl} → ${response.status}`);
  const folder = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-prism-'));
  const document = path.join(folder, 'openapi.json');
  await writeFile(document, await response.text());
  const child = spawn(
    process.execPath,
    [
      path.resolve('node_modules/@stoplight/prism-cli/dist/index.js'),
      'proxy',
      document,
      upstream,
      '--host=127.0.0.1',
      `--port=${port}`,
      '--cors=false',
      '--errors=false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve())).then(() =>
    rm(folder, { recursive: true, force: true }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${lines.join('\n')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(line);
        if (line.includes('Prism is listening')) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Prism exited before listening:\n${lines.join('\n')}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
