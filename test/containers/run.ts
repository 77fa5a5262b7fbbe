/**
 * `npm run test:containers`: the container tests (ava, test/containers/*.test.ts)
 * against the real Docker engine. Gives every worker one run id, so the
 * images are built once per run, and afterwards removes anything carrying it
 * that a test's own teardown missed (an interrupted run included).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { removeRunLeftovers } from './helpers/docker.js';

const log = (message: string) => process.stderr.write(`containers: ${message}\n`);

async function main(): Promise<number> {
  const runId = `fz${randomBytes(3).toString('hex')}`;
  log(`run ${runId}`);
  try {
    const ava = spawn(
      process.execPath,
      [
        path.resolve('node_modules/ava/entrypoints/cli.mjs'),
        '--config',
        'test/containers/ava.config.js',
        ...process.argv.slice(2),
      ],
      { stdio: 'inherit', env: { ...process.env, FZ_CONTAINER_RUN: runId } },
    );
    const forward = (signal: NodeJS.Signals) => ava.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return await new Promise<number>((resolve) => ava.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    log(`removing what run ${runId} left behind`);
    await removeRunLeftovers(runId).catch((error: unknown) => log(`clean-up failed: ${String(error)}`));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`could not run the tests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
