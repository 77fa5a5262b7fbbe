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

const schema = z.object({
  ENVIRONMENT: z.enum(ENVIRONMENTS).optional(),
  NODE_ENV: z.string().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .optional(),
  SECRET_KEY: z.string().optional(),
  ACCESS_TOKEN_EXPIRE_MINUTES: integer('ACCESS_TOKEN_EXPIRE_MINUTES', 1, 525_600).default(30),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer('PORT', 0, 65_535).default(8000),
  BCRYPT_ROUNDS: integer('BCRYPT_ROUNDS', 4, 15).default(12),
  DB_POOL_MAX: integer('DB_POOL_MAX', 1, 100).default(10),
  DB_STATEMENT_TIMEOUT_MS: integer('DB_STATEMENT_TIMEOUT_MS', 100, 600_000).default(10_000),
  DB_ACQUIRE_TIMEOUT_MS: integer('DB_ACQUIRE_TIMEOUT_MS', 100, 600_000).default(5_000),
  DB_WAIT_SECONDS: integer('DB_WAIT_SECONDS', 0, 3_600).default(30),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000).default(10_000),
  BODY_LIMIT_KB: integer('BODY_LIMIT_KB', 1, 10_240).default(64),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  LOGIN_RATE_LIMIT: integer('LOGIN_RATE_LIMIT', 0, 100_000).default(10),
  LOGIN_RATE_WINDOW_SECONDS: integer('LOGIN_RATE_WINDOW_SECONDS', 1, 86_400).default(60),
  CORS_ORIGINS: z.string().default(''),
});

export interface Config {
  readonly environment: Environment;
  /** Absent only outside production: the server then starts an embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  readonly secretKey: string;
  /** True when SECRET_KEY was not set and a random one was made for this process only. */
  readonly secretKeyIsEphemeral: boolean;
  readonly accessTokenExpireMinutes: number;
  readonly host: string;
  readonly port: number;
  readonly bcryptRounds: number;
  readonly db: {
    readonly poolMax: number;
    readonly statementTimeoutMs: number;
    readonly acquireTimeoutMs: number;
    readonly waitSeconds: number;
  };
  readonly shutdownTimeoutMs: number;
  readonly bodyLimitKb: number;
  readonly log: { readonly level: string; readonly format: 'json' | 'pretty' };
  readonly loginRateLimit: { readonly max: number; readonly windowSeconds: number };
  readonly corsOrigins: readonly string[];
  /** Problems that do not stop a local run but deserve a line in the log. */
  readonly warnings: readonly string[];
}

/**
 * Pretty logs only for a local run from the sources: pino-pretty is a dev
 * dependency, absent from the production image even when ENVIRONMENT=local.
 */
const defaultLogFormat = (local: boolean, nodeEnv: string | undefined) =>
  local && nodeEnv !== 'production' ? 'pretty' : 'json';

/** Raised with every bad variable named, so one start-up shows all of them. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses, validates and freezes the configuration (the course's settings.py).
 * `randomSecret` makes the ephemeral local secret; `needsSecret: false` is for
 * the migration command, which signs no token.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  {
    randomSecret = () => crypto.randomUUID() + crypto.randomUUID(),
    needsSecret = true,
  }: { randomSecret?: () => string; needsSecret?: boolean } = {},
): Config {
  // Empty strings come from `FOO=` lines in .env files; they mean "unset".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(cleaned);
  // Every problem is collected before failing, so one start-up names them all.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const environment: Environment = (ENVIRONMENTS as readonly string[]).includes(cleaned.ENVIRONMENT ?? '')
    ? (cleaned.ENVIRONMENT as Environment)
    : cleaned.NODE_ENV === 'production'
      ? 'production'
      : 'local';
  const local = environment === 'local';
  const warnings: string[] = [];

  if (!cleaned.DATABASE_URL && !local) problems.push(`DATABASE_URL: required when ENVIRONMENT is ${environment}`);

  let secretKey = cleaned.SECRET_KEY;
  let secretKeyIsEphemeral = false;
  if (secretKey === undefined) {
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
    else problems.push(`${why}; generate one with: openssl rand -hex 32`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const raw = parsed.data;

  return Object.freeze({
    environment,
    databaseUrl: raw.DATABASE_URL,
    secretKey: secretKey as string,
    secretKeyIsEphemeral,
    accessTokenExpireMinutes: raw.ACCESS_TOKEN_EXPIRE_MINUTES,
    host: raw.HOST,
    port: raw.PORT,
    bcryptRounds: raw.BCRYPT_ROUNDS,
    db: Object.freeze({
      poolMax: raw.DB_POOL_MAX,
      statementTimeoutMs: raw.DB_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: raw.DB_ACQUIRE_TIMEOUT_MS,
      waitSeconds: raw.DB_WAIT_SECONDS,
    }),
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    bodyLimitKb: raw.BODY_LIMIT_KB,
    log: Object.freeze({ level: raw.LOG_LEVEL, format: raw.LOG_FORMAT ?? defaultLogFormat(local, raw.NODE_ENV) }),
    loginRateLimit: Object.freeze({ max: raw.LOGIN_RATE_LIMIT, windowSeconds: raw.LOGIN_RATE_WINDOW_SECONDS }),
    corsOrigins: Object.freeze(
      raw.CORS_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
    warnings: Object.freeze(warnings),
  });
}
