import type { Middleware } from 'koa';
import { HttpError } from '../errors.js';
import type { Clock } from '../security.js';

interface Window {
  count: number;
  resetAt: number;
}

// Bounds memory under a flood of distinct keys; expired windows are swept first.
const MAX_KEYS = 100_000;

/**
 * Fixed-window limit on POST /auth/token, counted per client address and per
 * account, so neither one client nor many clients against one account can
 * brute-force passwords. `max` 0 turns it off. In-process: each replica counts alone.
 */
export function loginRateLimit(options: { max: number; windowSeconds: number }, clock: Clock): Middleware {
  const windows = new Map<string, Window>();
  const windowMs = options.windowSeconds * 1000;

  const hit = (key: string, now: number): Window => {
    let window = windows.get(key);
    if (!window || window.resetAt <= now) {
      if (windows.size >= MAX_KEYS) {
        for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
        if (windows.size >= MAX_KEYS) windows.clear();
      }
      window = { count: 0, resetAt: now + windowMs };
      windows.set(key, window);
    }
    window.count += 1;
    return window;
  };

  return async (ctx, next) => {
    if (options.max === 0 || ctx.method !== 'POST' || !/^\/auth\/token\/?$/.test(ctx.path)) {
      await next();
      return;
    }
    const now = clock();
    const body = ctx.request.body as { username?: unknown } | undefined;
    const account = typeof body?.username === 'string' ? body.username.toLowerCase() : '';
    const limited = [hit(`ip:${ctx.ip}`, now), ...(account ? [hit(`account:${account}`, now)] : [])].filter(
      (window) => window.count > options.max,
    );
    if (limited.length > 0) {
      const retryAfter = Math.ceil((Math.max(...limited.map((w) => w.resetAt)) - now) / 1000);
      throw new HttpError(429, 'Too many login attempts, try again later', { 'Retry-After': String(retryAfter) });
    }
    await next();
  };
}
