/**
 * What the code says a deployment must match, read from the code itself:
 * the routes from the app's OpenAPI document, the defaults and required keys
 * from loadConfig, the user and environment from the Dockerfile. The
 * Kubernetes, Swarm and Fly tests compare their manifests against these.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import knex from 'knex';
import { createApp } from '../../src/app.js';
import { ConfigError, FILE_SETTINGS, SETTINGS, loadConfig, readFileSettings, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from './app.js';

export const HEALTH = { live: '/health/live', ready: '/health/ready' } as const;

type Operation = { responses: Record<string, unknown> };

/** The OpenAPI document the app serves at /openapi.json, fetched over a real socket. */
export async function servedOpenApi(): Promise<{ paths: Record<string, Record<string, Operation>> }> {
  // A knex without a connection: building the app never queries.
  const db = knex({ client: 'pg' });
  const { app } = createApp({ config: testConfig(), db, logger: createLogger({ level: 'silent', format: 'json' }) });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    return (await response.json()) as { paths: Record<string, Record<string, Operation>> };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await db.destroy();
  }
}

/** The GET operation the app documents for a path (trailing slash ignored), or undefined. */
export function getOperation(
  document: { paths: Record<string, Record<string, Operation>> },
  path: string,
): Operation | undefined {
  const entry = Object.entries(document.paths).find(([documented]) => documented.replace(/(.)\/$/, '$1') === path);
  return entry?.[1].get;
}

/**
 * The variables loadConfig refuses to start without in production, read
 * from its own error ("SECRET_KEY: required when …"), so a new required key
 * shows up here without editing the tests.
 */
export function requiredInProduction(): string[] {
  try {
    loadConfig({ ENVIRONMENT: 'production' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems
      .filter((problem) => /\brequired\b/.test(problem))
      .map((problem) => /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0])
      .filter((name): name is string => name !== undefined);
  }
  throw new Error('loadConfig accepted an empty production environment');
}

/**
 * Every variable the server reads: src/config.ts's settings and the _FILE
 * forms of its secrets. zod drops any other key silently, so a misspelt name
 * in a manifest would otherwise go unnoticed.
 */
export const knownSettings = (): ReadonlySet<string> =>
  new Set([...Object.keys(SETTINGS.shape), ...FILE_SETTINGS.map((name) => `${name}_FILE`)]);

/** The names in `env` that the server does not read. */
export const unknownSettings = (env: Record<string, unknown>): string[] =>
  Object.keys(env).filter((name) => !knownSettings().has(name));

/** Valid stand-ins for the secrets a manifest leaves to files or the platform. */
export const PLACEHOLDER_SECRETS: Readonly<Record<string, string>> = {
  SECRET_KEY: 'placeholder-secret-that-is-long-enough-0123456789',
  DATABASE_URL: 'postgres://app:placeholder@db:5432/app',
  MIGRATIONS_DATABASE_URL: 'postgres://app:placeholder@db:5432/app',
};

/** Valid values for secrets a platform supplies outside the manifest (e.g. `fly secrets`). */
export const placeholdersFor = (names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((name) => [name, PLACEHOLDER_SECRETS[name] ?? `placeholder-for-${name}`]));

/**
 * The configuration a container would load from `env` (the image's ENV plus
 * what a manifest sets), through the same readFileSettings as the server.
 * The secret files do not exist here: each X_FILE reads a valid stand-in for
 * X, and the manifest tests check where the file comes from.
 */
export function configFrom(env: Record<string, string>): Config {
  const fileOf = new Map(
    Object.entries(env)
      .filter(([name]) => name.endsWith('_FILE'))
      .map(([name, file]) => [file, name.slice(0, -'_FILE'.length)]),
  );
  const read = (file: string) => {
    const name = fileOf.get(file);
    if (!name) throw new Error(`no stand-in for ${file}`);
    return `${placeholdersFor([name])[name]}\n`;
  };
  return loadConfig(readFileSettings(env, read));
}

/** The default PORT when nothing sets it. */
export const defaultPort = () => loadConfig({}, { randomSecret: () => 'unused' }).port;

export interface ImageFacts {
  /** The last stage's base image, e.g. node:24-bookworm-slim. */
  readonly from: string;
  readonly user: string;
  readonly uid: number;
  readonly env: Record<string, string>;
  readonly exposed: number[];
}

/**
 * The official Node.js images create `node` with uid and gid 1000
 * (docs: "Non-root User" in the image's README); a USER given as a number is
 * its own uid.
 */
const KNOWN_UIDS: Record<string, Record<string, number>> = { node: { node: 1000 } };

/** The production image, read from the last stage of the Dockerfile. */
export async function productionImage(dockerfile = 'Dockerfile'): Promise<ImageFacts> {
  const text = await readFile(dockerfile, 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const lastFrom = instructions.findLastIndex((line) => /^FROM\s/i.test(line));
  const stage = instructions.slice(lastFrom);
  const from = stage[0]!.split(/\s+/)[1]!;
  let user = 'root';
  const env: Record<string, string> = {};
  const exposed: number[] = [];
  for (const line of stage) {
    const [keyword, ...rest] = line.split(/\s+/);
    const argument = rest.join(' ');
    if (/^USER$/i.test(keyword!)) user = argument.split(':')[0]!;
    if (/^EXPOSE$/i.test(keyword!)) exposed.push(...rest.map((port) => Number.parseInt(port, 10)));
    if (/^ENV$/i.test(keyword!)) {
      for (const pair of argument.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[pair[1]!] = pair[2]!.replace(/^"|"$/g, '');
    }
  }
  const repository = from.split(':')[0]!;
  const uid = /^\d+$/.test(user) ? Number(user) : KNOWN_UIDS[repository]?.[user];
  if (uid === undefined) throw new Error(`no known uid for user ${user} of ${from}`);
  return { from, user, uid, env, exposed };
}
