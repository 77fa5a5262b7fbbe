import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Where the app believes it runs; decides how strict the secret checks are. */
export const ENVIRONMENTS = ['local', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Secrets that ship in this repository as marked development defaults. */
export const KNOWN_WEAK_SECRETS: readonly string[] = [
  'changethis',
  'your-secret-key',
  'dev-only-insecure-secret-change-me',
];
const MIN_SECRET_LENGTH = 32;

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be ≥ ${min}`).max(max, `${name} must be ≤ ${max}`));

const flag = (name: string) =>
  z
    .enum(['0', '1', 'false', 'true', 'no', 'yes', 'off', 'on'], { message: `${name} must be 1 or 0` })
    .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const postgresUrl = (name: string) => z.string().regex(/^postgres(ql)?:\/\//, `${name} must be a postgres:// URL`);

/**
 * Every variable the app reads, with its one description: the README table
 * and `.env.example` are generated from these (npm run docs:config);
 * test/config-docs.test.ts and the deploy tests check docker-compose.yml and
 * the manifests against them.
 */
export const SETTINGS = z.object({
  ENVIRONMENT: z
    .enum(ENVIRONMENTS)
    .optional()
    .describe(
      'local | staging | production; production when NODE_ENV=production, else local. Only local accepts a missing or weak SECRET_KEY and a missing DATABASE_URL',
    ),
  NODE_ENV: z.string().optional().describe('production in the image; decides the default ENVIRONMENT and log format'),
  DATABASE_URL: postgresUrl('DATABASE_URL')
    .optional()
    .describe(
      'PostgreSQL URL; unset in local, `npm start` runs an embedded PostgreSQL with its data in .data/, on 127.0.0.1:54329 when free (`npm run db:psql` opens psql on it)',
    ),
  MIGRATIONS_DATABASE_URL: postgresUrl('MIGRATIONS_DATABASE_URL')
    .optional()
    .describe(
      'A direct connection for migrations when DATABASE_URL goes through PgBouncer in transaction mode; defaults to DATABASE_URL',
    ),
  SECRET_KEY: z
    .string()
    .optional()
    .describe(
      'HS256 key for access tokens (openssl rand -hex 32); required outside local. Unset in local: one key made once and kept in .data/secret-key, so tokens survive restarts',
    ),
  // `auto` was the entrypoint's name for the default before the server owned migrations.
  RUN_MIGRATIONS: z
    .enum(['0', '1', 'false', 'true', 'no', 'yes', 'off', 'on', 'auto'], { message: 'RUN_MIGRATIONS must be 1 or 0' })
    .transform((value) => !['0', 'false', 'no', 'off'].includes(value))
    .default(true)
    .describe(
      '1 (default): the server applies pending migrations at start-up, under an advisory lock; 0: never (a release job does it)',
    ),
  ACCESS_TOKEN_EXPIRE_MINUTES: integer('ACCESS_TOKEN_EXPIRE_MINUTES', 1, 525_600)
    .default(30)
    .describe('Lifetime of an access token'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Address the server listens on'),
  PORT: integer('PORT', 0, 65_535).default(8000).describe('Port the server listens on'),
  TRUST_PROXY: integer('TRUST_PROXY', 0, 10)
    .default(0)
    .describe('How many reverse proxies in front append to X-Forwarded-For; 0 (default) ignores the header'),
  BCRYPT_ROUNDS: integer('BCRYPT_ROUNDS', 4, 15).default(12).describe('bcrypt cost; 12 in production, the tests use 4'),
  DB_POOL_MAX: integer('DB_POOL_MAX', 1, 100)
    .default(10)
    .describe('Connections per process; replicas × DB_POOL_MAX must stay below max_connections'),
  DB_STATEMENT_TIMEOUT_MS: integer('DB_STATEMENT_TIMEOUT_MS', 100, 600_000)
    .default(10_000)
    .describe('Longest a request query may run'),
  DB_ACQUIRE_TIMEOUT_MS: integer('DB_ACQUIRE_TIMEOUT_MS', 100, 600_000)
    .default(5_000)
    .describe('How long a request waits for a pool connection before answering 503'),
  DB_WAIT_SECONDS: integer('DB_WAIT_SECONDS', 0, 3_600)
    .default(30)
    .describe('How long start-up waits for PostgreSQL to answer'),
  DB_PREPARED_STATEMENTS: flag('DB_PREPARED_STATEMENTS')
    .default(true)
    .describe(
      'Queries run as named prepared statements, planned once per connection; 0 behind PgBouncer before 1.21 in transaction mode, which cannot keep them',
    ),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000)
    .default(10_000)
    .describe('Grace period for in-flight requests on SIGTERM/SIGINT'),
  BODY_LIMIT_KB: integer('BODY_LIMIT_KB', 1, 10_240)
    .default(64)
    .describe('Largest accepted request body (413 above it)'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('fatal | error | warn | info | debug | trace | silent'),
  LOG_FORMAT: z
    .enum(['json', 'pretty'])
    .optional()
    .describe('json (default in production) or pretty (default in local)'),
  LOGIN_RATE_LIMIT: integer('LOGIN_RATE_LIMIT', 0, 100_000)
    .default(10)
    .describe(
      'Consecutive failed logins for one account from one address before that pair is blocked; 0 turns all login limits off',
    ),
  LOGIN_BLOCK_SECONDS: integer('LOGIN_BLOCK_SECONDS', 1, 86_400 * 30)
    .default(900)
    .describe('How long a blocked (account, address) pair is refused, right password included'),
  LOGIN_ADDRESS_DAILY_FAILURES: integer('LOGIN_ADDRESS_DAILY_FAILURES', 1, 1_000_000)
    .default(100)
    .describe('Failed logins from one address (an IPv6 /64) in a day before the address is blocked for the rest of it'),
  LOGIN_ACCOUNT_FAILURES: integer('LOGIN_ACCOUNT_FAILURES', 1, 1_000_000)
    .default(30)
    .describe(
      'Failed logins for one account from all addresses within LOGIN_ACCOUNT_WINDOW_SECONDS before a short account lockout',
    ),
  LOGIN_ACCOUNT_WINDOW_SECONDS: integer('LOGIN_ACCOUNT_WINDOW_SECONDS', 1, 86_400)
    .default(600)
    .describe('Window of LOGIN_ACCOUNT_FAILURES'),
  LOGIN_ACCOUNT_BLOCK_SECONDS: integer('LOGIN_ACCOUNT_BLOCK_SECONDS', 1, 3_600)
    .default(60)
    .describe(
      'Account lockout after LOGIN_ACCOUNT_FAILURES; never applies from an address that signed in to the account recently',
    ),
  LOGIN_KNOWN_ADDRESS_DAYS: integer('LOGIN_KNOWN_ADDRESS_DAYS', 1, 365)
    .default(30)
    .describe('How long a successful login makes its address known to the account, exempt from the account lockout'),
  SIGNUP_RATE_LIMIT: integer('SIGNUP_RATE_LIMIT', 0, 1_000_000)
    .default(100)
    .describe('Sign-ups (POST /users/) per address per hour; 0 turns it off'),
  CORS_ORIGINS: z.string().default('').describe('Comma-separated origins allowed by CORS; empty keeps CORS closed'),
});

/** Secrets that may come from a file instead (Docker and Kubernetes secrets), as the official images do. */
export const FILE_SETTINGS = ['SECRET_KEY', 'DATABASE_URL', 'MIGRATIONS_DATABASE_URL'] as const;

/** Variables only the Compose files read (never the app), documented beside the app's own. */
export const COMPOSE_SETTINGS: Readonly<Record<string, string>> = {
  POSTGRES_USER: 'docker-compose.yml: the database role the db service creates (default app)',
  POSTGRES_PASSWORD: 'docker-compose.yml: its password, URL-safe characters only (default: a marked development value)',
  POSTGRES_DB: 'docker-compose.yml: the database the db service creates (default fast_zero)',
  API_PORT: 'docker-compose.yml: host port of the API, published on 127.0.0.1 only (default 8000)',
  DB_PORT:
    'docker-compose.db-port.yml: host port of PostgreSQL, published on 127.0.0.1 only, for the API run on the host (default 5432)',
  EXTRA_CA_CERTS: 'docker-compose.yml build only: PEM text of extra CA certificates behind a TLS-intercepting proxy',
};

/** Every variable name a `.env` of this project may hold. */
export const KNOWN_SETTINGS: ReadonlySet<string> = new Set([
  ...Object.keys(SETTINGS.shape),
  ...FILE_SETTINGS.map((name) => `${name}_FILE`),
  ...Object.keys(COMPOSE_SETTINGS),
]);

/** Values never shown in an error: only their length is. */
const SECRET_SETTINGS = new Set(['SECRET_KEY', 'POSTGRES_PASSWORD']);

export interface Config {
  readonly environment: Environment;
  /** Absent only outside production: the server then starts an embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  /** Where migrations run: MIGRATIONS_DATABASE_URL, else DATABASE_URL. */
  readonly migrationsDatabaseUrl: string | undefined;
  readonly runMigrations: boolean;
  readonly secretKey: string;
  /** True when SECRET_KEY was not set and a random one was made for this process only. */
  readonly secretKeyIsEphemeral: boolean;
  readonly accessTokenExpireMinutes: number;
  readonly host: string;
  readonly port: number;
  /** Proxies in front that append to X-Forwarded-For; 0: the header is ignored. */
  readonly trustProxy: number;
  readonly bcryptRounds: number;
  readonly db: {
    readonly poolMax: number;
    readonly statementTimeoutMs: number;
    readonly acquireTimeoutMs: number;
    readonly waitSeconds: number;
    readonly preparedStatements: boolean;
  };
  readonly shutdownTimeoutMs: number;
  readonly bodyLimitKb: number;
  readonly log: { readonly level: string; readonly format: 'json' | 'pretty' };
  readonly loginLimits: LoginLimits;
  /** Sign-ups per address per hour; 0: off. */
  readonly signupRateLimit: number;
  readonly corsOrigins: readonly string[];
  /** Problems that do not stop a local run but deserve a line in the log. */
  readonly warnings: readonly string[];
}

/** Brute-force protection of POST /auth/token; `consecutiveFailures` 0 turns it off. */
export interface LoginLimits {
  readonly consecutiveFailures: number;
  readonly blockSeconds: number;
  readonly addressDailyFailures: number;
  readonly accountFailures: number;
  readonly accountWindowSeconds: number;
  readonly accountBlockSeconds: number;
  readonly knownAddressDays: number;
}

/**
 * Pretty logs only for a local run from the sources: pino-pretty is a dev
 * dependency, absent from the production image even when ENVIRONMENT=local.
 */
const defaultLogFormat = (local: boolean, nodeEnv: string | undefined) =>
  local && nodeEnv !== 'production' ? 'pretty' : 'json';

/**
 * Where the app believes it runs, from ENVIRONMENT or NODE_ENV (an invalid
 * ENVIRONMENT counts as unset here; loadConfig reports it).
 */
export function environmentOf(env: NodeJS.ProcessEnv): Environment {
  const named = env.ENVIRONMENT ?? '';
  if ((ENVIRONMENTS as readonly string[]).includes(named)) return named as Environment;
  return env.NODE_ENV === 'production' ? 'production' : 'local';
}

/**
 * True when start-up should hand loadConfig the development key kept on disk:
 * ENVIRONMENT is local and SECRET_KEY is unset. Outside local the key is refused anyway.
 */
export const wantsDevelopmentSecret = (env: NodeJS.ProcessEnv): boolean =>
  environmentOf(env) === 'local' && !env.SECRET_KEY;

/** A value as an error may show it: secrets by length only, URLs without their password. */
export function displayValue(name: string, value: string): string {
  if (SECRET_SETTINGS.has(name)) return `a value of ${value.length} characters (hidden)`;
  // user:password@ in a URL, with or without its scheme.
  const masked = value.replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:@/]*:)[^@]*@/i, '$1***@');
  return JSON.stringify(masked);
}

/**
 * Names set in `.env` that the app does not read but that are close to one it
 * does (a typo, a wrong case): each gets a "did you mean" warning. Unrelated
 * names are left alone, since other tools may read them.
 */
export function misspelledSettings(names: Iterable<string>): string[] {
  const warnings: string[] = [];
  for (const name of names) {
    if (KNOWN_SETTINGS.has(name)) continue;
    let best: { known: string; distance: number } | undefined;
    for (const known of KNOWN_SETTINGS) {
      const distance = editDistance(name.toUpperCase(), known);
      if (!best || distance < best.distance) best = { known, distance };
    }
    if (best && best.distance <= Math.max(1, Math.min(3, Math.floor(best.known.length / 5)))) {
      warnings.push(`.env sets ${name}, which the app does not read: did you mean ${best.known}?`);
    }
  }
  return warnings;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Where each variable came from, for error messages: `.env` for the names
 * that file added (dotenv never overrides the environment), the `_FILE`
 * variable for secrets read from a file, else the environment.
 */
export function settingOrigins(env: NodeJS.ProcessEnv, fromDotenv: Iterable<string>): Record<string, string> {
  const dotenv = new Set(fromDotenv);
  const origins: Record<string, string> = {};
  for (const name of dotenv) origins[name] = '.env';
  for (const name of FILE_SETTINGS) {
    const file = env[`${name}_FILE`];
    if (file) origins[name] = `${name}_FILE=${file}${dotenv.has(`${name}_FILE`) ? ', set in .env' : ''}`;
  }
  return origins;
}

/** Raised with every bad variable named, so one start-up shows all of them. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses, validates and freezes the configuration (the course's settings.py).
 * `developmentSecret` is the key kept in .data/ for a local run without
 * SECRET_KEY (ignored outside local); without it `randomSecret` makes an
 * ephemeral one. `needsSecret: false` is for the migration command, which
 * signs no token. `origins` names where variables came from (`.env`, a
 * `_FILE`), for the error message.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  {
    randomSecret = () => crypto.randomUUID() + crypto.randomUUID(),
    developmentSecret,
    needsSecret = true,
    origins = {},
  }: {
    randomSecret?: () => string;
    developmentSecret?: string;
    needsSecret?: boolean;
    origins?: Readonly<Record<string, string>>;
  } = {},
): Config {
  // Empty strings come from `FOO=` lines in .env files; they mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = SETTINGS.safeParse(cleaned);
  // Every problem is collected before failing, so one start-up names them all.
  // Each names the value it got (masked) and where it came from, so a stray
  // line in .env is found without guessing.
  const got = (name: string) => {
    const value = cleaned[name];
    if (value === undefined) return '';
    return ` (got ${displayValue(name, value)} from ${origins[name] ?? 'the environment'})`;
  };
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return `${name}: ${issue.message}${got(name)}`;
      });
  const environment = environmentOf(cleaned);
  const local = environment === 'local';
  const warnings: string[] = [];

  if (cleaned.MIGRATIONS_DATABASE_URL && !cleaned.DATABASE_URL) {
    problems.push('MIGRATIONS_DATABASE_URL: set only together with DATABASE_URL');
  }
  if (!cleaned.DATABASE_URL && !local) problems.push(`DATABASE_URL: required when ENVIRONMENT is ${environment}`);

  let secretKey = cleaned.SECRET_KEY;
  let secretKeyIsEphemeral = false;
  if (secretKey === undefined && local && developmentSecret) {
    secretKey = developmentSecret;
    warnings.push('SECRET_KEY is not set: using the development key kept in .data/ (ENVIRONMENT=local only)');
  } else if (secretKey === undefined) {
    if (local || !needsSecret) {
      secretKey = randomSecret();
      secretKeyIsEphemeral = true;
      warnings.push('SECRET_KEY is not set: using a random key for this process, so tokens die with it');
    } else {
      problems.push(`SECRET_KEY: required when ENVIRONMENT is ${environment}`);
    }
  } else if (KNOWN_WEAK_SECRETS.includes(secretKey) || secretKey.length < MIN_SECRET_LENGTH) {
    const why = `SECRET_KEY: is a known default or shorter than ${MIN_SECRET_LENGTH} characters`;
    if (local) warnings.push(`${why}; accepted only because ENVIRONMENT is local`);
    else problems.push(`${why}${got('SECRET_KEY')}; generate one with: openssl rand -hex 32`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const raw = parsed.data;

  return Object.freeze({
    environment,
    databaseUrl: raw.DATABASE_URL,
    migrationsDatabaseUrl: raw.MIGRATIONS_DATABASE_URL ?? raw.DATABASE_URL,
    runMigrations: raw.RUN_MIGRATIONS,
    secretKey: secretKey as string,
    secretKeyIsEphemeral,
    accessTokenExpireMinutes: raw.ACCESS_TOKEN_EXPIRE_MINUTES,
    host: raw.HOST,
    port: raw.PORT,
    trustProxy: raw.TRUST_PROXY,
    bcryptRounds: raw.BCRYPT_ROUNDS,
    db: Object.freeze({
      poolMax: raw.DB_POOL_MAX,
      statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: raw.DB_ACQUIRE_TIMEOUT_MS,
      waitSeconds: raw.DB_WAIT_SECONDS,
      preparedStatements: raw.DB_PREPARED_STATEMENTS,
    }),
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    bodyLimitKb: raw.BODY_LIMIT_KB,
    log: Object.freeze({ level: raw.LOG_LEVEL, format: raw.LOG_FORMAT ?? defaultLogFormat(local, raw.NODE_ENV) }),
    loginLimits: Object.freeze({
      consecutiveFailures: raw.LOGIN_RATE_LIMIT,
      blockSeconds: raw.LOGIN_BLOCK_SECONDS,
      addressDailyFailures: raw.LOGIN_ADDRESS_DAILY_FAILURES,
      accountFailures: raw.LOGIN_ACCOUNT_FAILURES,
      accountWindowSeconds: raw.LOGIN_ACCOUNT_WINDOW_SECONDS,
      accountBlockSeconds: raw.LOGIN_ACCOUNT_BLOCK_SECONDS,
      knownAddressDays: raw.LOGIN_KNOWN_ADDRESS_DAYS,
    }),
    signupRateLimit: raw.SIGNUP_RATE_LIMIT,
    corsOrigins: Object.freeze(
      raw.CORS_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
    warnings: Object.freeze(warnings),
  });
}

/**
 * The environment with each `X_FILE` replaced by `X` read from that file (one
 * trailing newline dropped), so Docker and Kubernetes secrets never sit in the
 * environment. Setting both `X` and `X_FILE`, or a file that cannot be read,
 * is a ConfigError naming the variables.
 */
export function readFileSettings(
  env: NodeJS.ProcessEnv,
  read: (file: string) => string = (file) => readFileSync(file, 'utf8'),
): NodeJS.ProcessEnv {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const problems: string[] = [];
  for (const name of FILE_SETTINGS) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    delete resolved[`${name}_FILE`];
    if (env[name]) {
      problems.push(`${name} and ${name}_FILE: set one of them, not both`);
      continue;
    }
    try {
      resolved[name] = read(file).replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
