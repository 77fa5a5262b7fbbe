import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createLimiter } from '../db/limiter-store.js';
import { HttpError } from '../errors.js';
import type { RouteState } from '../http/route.js';
import type { Logger } from '../logger.js';
import { addressKey } from './client-address.js';

const HOUR = 3_600;

/**
 * A generous per-address limit on POST /users/, so one client cannot flood
 * the users table; counted in PostgreSQL like the login limits. 0: off.
 */
export function signupThrottle(
  db: Knex,
  perHour: number,
  options: { logger: Logger; preparedStatements: boolean },
): Middleware<RouteState>[] {
  if (perHour === 0) return [];
  const limiter = createLimiter(db, options, { keyPrefix: 'signup-address', points: perHour, duration: HOUR });
  return [
    async (ctx, next) => {
      try {
        await limiter.consume(addressKey(ctx.ip));
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        options.logger.warn(
          { requestId: ctx.state.requestId, client: ctx.ip },
          'sign-up refused: too many from one address',
        );
        throw new HttpError(429, 'Too many sign-ups, try again later', {
          'Retry-After': String(Math.max(1, Math.ceil(error.msBeforeNext / 1000))),
        });
      }
      await next();
    },
  ];
}
