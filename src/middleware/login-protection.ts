import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { RateLimiterRes, type RateLimiterPostgres } from 'rate-limiter-flexible';
import type { LoginLimits } from '../config.js';
import { createLimiter, type LimiterSettings } from '../db/limiter-store.js';
import { HttpError } from '../errors.js';
import type { RouteState } from '../http/route.js';
import type { Logger } from '../logger.js';
import { addressKey } from './client-address.js';

const DAY = 86_400;

export interface LoginProtection {
  /** Attached to POST /auth/token itself, so every spelling the router accepts is counted. */
  readonly middleware: Middleware<RouteState>;
  /** Deletes expired counters now (the library also does it every five minutes). */
  sweep(): Promise<void>;
}

/** Is this the handler's "wrong email or password"? Only those count as failures. */
const isFailedLogin = (error: unknown) => error instanceof HttpError && error.status === 401;

/**
 * The account as login matching sees it: the exact string (emails match
 * case-sensitively), hashed so any length fits the key column.
 */
const accountKey = (username: string) => createHash('sha256').update(username).digest('base64url');

const tooMany = (retryMs: number) =>
  new HttpError(429, 'Too many failed login attempts, try again later', {
    'Retry-After': String(Math.max(1, Math.ceil(retryMs / 1000))),
  });

/**
 * Brute-force protection of the login as nodebestpractices and
 * rate-limiter-flexible's login recipe describe it: only failures count, in
 * PostgreSQL, so every replica enforces one limit and a restart keeps a block.
 * - (account, address): `consecutiveFailures` in a row block that pair for
 *   `blockSeconds`; a success resets it.
 * - address: `addressDailyFailures` a day block the address for a day.
 * - account, from every address: `accountFailures` per window lock it for
 *   `accountBlockSeconds` — except from addresses that signed in to it within
 *   `knownAddressDays`, so a stranger cannot keep its owner out.
 * `consecutiveFailures` 0 counts nothing; failures are logged either way.
 */
export function loginProtection(
  db: Knex,
  limits: LoginLimits,
  options: { logger: Logger; preparedStatements: boolean },
): LoginProtection {
  const limiter = (settings: LimiterSettings) => createLimiter(db, options, settings);
  const pair = limiter({
    keyPrefix: 'login-pair',
    points: limits.consecutiveFailures,
    duration: DAY,
    blockDuration: limits.blockSeconds,
    sweeps: true,
  });
  const address = limiter({
    keyPrefix: 'login-address',
    points: limits.addressDailyFailures,
    duration: DAY,
    blockDuration: DAY,
  });
  const account = limiter({
    keyPrefix: 'login-account',
    points: limits.accountFailures,
    duration: limits.accountWindowSeconds,
    blockDuration: limits.accountBlockSeconds,
  });
  const known = limiter({ keyPrefix: 'login-known', points: 1, duration: limits.knownAddressDays * DAY });
  const enabled = limits.consecutiveFailures > 0;

  const middleware: Middleware<RouteState> = async (ctx, next) => {
    const { username } = ctx.state.input?.body as { username: string };
    const client = addressKey(ctx.ip);
    const trace = { requestId: ctx.state.requestId, client: ctx.ip, account: username.slice(0, 320) };
    const login = async () => {
      try {
        await next();
      } catch (error) {
        if (isFailedLogin(error)) options.logger.warn(trace, 'login failed');
        throw error;
      }
    };
    if (!enabled) {
      await login();
      return;
    }

    const accountId = accountKey(username);
    const pairKey = `${accountId}:${client}`;
    const [knownRes, ...states] = await Promise.all([
      known.get(pairKey),
      pair.get(pairKey),
      address.get(client),
      account.get(accountId),
    ]);
    const fromKnownAddress = knownRes !== null;
    const counters: [RateLimiterPostgres, string][] = [
      [pair, pairKey],
      [address, client],
      ...(fromKnownAddress ? [] : [[account, accountId] as [RateLimiterPostgres, string]]),
    ];
    const refuse = (results: readonly (RateLimiterRes | null | undefined)[]) => {
      const blocked = results.filter(
        (res, i): res is RateLimiterRes => !!res && res.consumedPoints > counters[i]![0].points,
      );
      if (blocked.length === 0) return;
      options.logger.warn({ ...trace, blocked: true }, 'login refused: too many failed attempts');
      throw tooMany(Math.max(...blocked.map((res) => res.msBeforeNext)));
    };

    // What is blocked already is refused without counting anything more.
    refuse(states.slice(0, counters.length));
    // The attempt is counted before the password is checked: consume is one atomic
    // upsert, so parallel guesses cannot all pass a check made before any of them counted.
    const consumed = await Promise.allSettled(counters.map(([limiter, key]) => limiter.consume(key)));
    const failure = consumed.find(
      (result) => result.status === 'rejected' && !(result.reason instanceof RateLimiterRes),
    );
    if (failure) throw (failure as PromiseRejectedResult).reason;
    refuse(consumed.map((result) => (result.status === 'rejected' ? (result.reason as RateLimiterRes) : null)));

    await login();
    // A success was no failure: its points go back, the pair starts over, the address is known.
    await Promise.all([
      pair.delete(pairKey),
      address.reward(client),
      fromKnownAddress ? undefined : account.reward(accountId),
      known.set(pairKey, 1, limits.knownAddressDays * DAY),
    ]);
  };

  return { middleware, sweep: () => pair.clearExpired(Date.now()) };
}
