import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { RouteState } from './route.js';
import { HttpError } from '../errors.js';

/**
 * A method a path does not serve → 405 `{"detail": "Method Not Allowed"}`
 * with the `Allow` header RFC 9110 requires, as FastAPI answers it.
 * @koa/router's allowedMethods drops `Allow` when asked to throw (its error
 * factories are not told the methods), and answers a method it does not know
 * (PROPFIND, …) with 501 where FastAPI says 405 (a known path) or 404 (an
 * unknown one). So it runs in its non-throwing mode and its verdict becomes ours.
 */
export function methodNotAllowed(router: Router<RouteState>): Middleware<RouteState> {
  const allowedMethods = router.allowedMethods();
  return async (ctx, next) => {
    // Mounted after router.routes(), which sets the `ctx.matched` it reads.
    await allowedMethods(ctx as Parameters<typeof allowedMethods>[0], next);
    if ((ctx.status !== 405 && ctx.status !== 501) || ctx.body != null) return;
    const allow = ctx.response.get('Allow');
    ctx.remove('Allow');
    if (!allow) throw new HttpError(404, 'Not Found');
    throw new HttpError(405, 'Method Not Allowed', { Allow: allow });
  };
}
