import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { docker, removeContainer, RUN_LABEL, uniqueName } from './docker.js';
import { productionImage } from './images.js';
import type { Postgres } from './postgres.js';

/** A strong key for containers that pretend to be production; generated, never stored. */
export const STRONG_SECRET = randomBytes(32).toString('hex');

export interface ProductionOptions {
  readonly env?: Record<string, string>;
  /** Extra `docker run` options (before the image). */
  readonly options?: readonly string[];
}

/** `-e` pairs of a production start against `database`, plus `env`. */
export function productionEnv(pg: Postgres, database: string, env: Record<string, string> = {}): string[] {
  const all = { DATABASE_URL: pg.url(database), ENVIRONMENT: 'production', SECRET_KEY: STRONG_SECRET, ...env };
  return Object.entries(all).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
}

/**
 * Starts the production image detached against `database`, port 8000
 * published on an ephemeral loopback port; removed when the test ends.
 */
export async function startProduction(
  t: ExecutionContext,
  pg: Postgres,
  database: string,
  { env, options = [] }: ProductionOptions = {},
): Promise<string> {
  const image = await productionImage();
  const name = uniqueName('api');
  t.teardown(() => removeContainer(name));
  await docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    pg.network,
    '--label',
    RUN_LABEL,
    '-p',
    '127.0.0.1::8000',
    ...productionEnv(pg, database, env),
    ...options,
    image,
  ]);
  return name;
}

/** Runs the production image in the foreground with `--rm` and returns how it ended. */
export async function runProductionOnce(pg: Postgres, env: string[], command: string[] = [], timeoutMs = 60_000) {
  const image = await productionImage();
  const name = uniqueName('once');
  try {
    return await docker(
      ['run', '--rm', '--name', name, '--network', pg.network, '--label', RUN_LABEL, ...env, image, ...command],
      {
        check: false,
        timeoutMs,
      },
    );
  } finally {
    // A `docker run` client killed by the timeout leaves its container running.
    await removeContainer(name);
  }
}
