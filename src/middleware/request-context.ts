import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';

// A client-chosen id is echoed only if it cannot smuggle anything into a log line or header.
const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

// Orchestrators probe these every few seconds: a passing probe is no news.
const PROBES = new Set(['/health/live', '/health/ready']);

/**
 * Gives each request an id (X-Request-Id in and out) and writes one access-log
 * line for it: at info, or at debug for a health probe that passed.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const offered = ctx.get('X-Request-Id');
    const requestId = SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      // The path only: a query string may carry search text, never credentials, but stays out anyway.
      const rounded = Math.round(durationMs * 100) / 100;
      const level = PROBES.has(ctx.path) && ctx.status < 400 ? 'debug' : 'info';
      logger[level](
        { requestId, method: ctx.method, path: ctx.path, status: ctx.status, durationMs: rounded },
        `${ctx.method} ${ctx.path} ${ctx.status} ${rounded}ms`,
      );
    }
  };
}
