/** What the bench and the profile both do before any load: data, settings, a token. */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { openDatabase, type Database } from '../src/db/open.js';
import { PASSWORD, seed, type Seeded } from './seed.js';

// The production default cost, so login figures are what users will see.
export const BCRYPT_ROUNDS = 12;

/**
 * The given PostgreSQL or a throwaway embedded one, migrated as the server
 * migrates. Durable settings (no `fast` mode): POST and PATCH figures include
 * a real commit's fsync.
 */
export async function openBenchDatabase(url: string | undefined, log: (message: string) => void): Promise<Database> {
  const database = await openDatabase({
    url,
    embedded: { database: 'fast_zero_bench' },
    waitSeconds: 0,
    pool: { poolMax: 2, statementTimeoutMs: 600_000, acquireTimeoutMs: 10_000 },
    migrate: true,
    log,
  });
  log(`migrations: ${database.applied.length ? database.applied.join(', ') : 'up to date'}`);
  return database;
}

/** Seeds the bench users (bench/seed.ts). */
export async function prepareData(
  url: string,
  sizes: { todos: number; users: number },
  log: (message: string) => void,
): Promise<Seeded> {
  const hash = await bcrypt.hash(PASSWORD, BCRYPT_ROUNDS);
  log(`seeding ${sizes.todos.toLocaleString('en')} todos for the big user…`);
  const seeded = await seed(url, sizes, hash);
  log(`seeded ${seeded.totalTodos.toLocaleString('en')} todos in ${seeded.seconds.toFixed(1)} s`);
  return seeded;
}

/**
 * The API's settings as in production, with a fresh secret shared by the API
 * and the floor so one token works on both.
 */
export function serverEnvironment(databaseUrl: string, poolMax: number) {
  const secretKey = randomBytes(32).toString('hex');
  const env = {
    ENVIRONMENT: 'production',
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SECRET_KEY: secretKey,
    HOST: '127.0.0.1',
    BCRYPT_ROUNDS: String(BCRYPT_ROUNDS),
    DB_POOL_MAX: String(poolMax),
  };
  return { env, secretKey };
}

/** A bearer token for a seeded user, from the API's own login. */
export async function login(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({ username: email, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`login as ${email} answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
