import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Security } from '../security.js';
import { currentUser } from '../middleware/current-user.js';
import { conflictFor } from './conflicts.js';
import type { Route, RouteContext, RouteState } from './route.js';
import { validateInput } from './validate.js';

/** `/users/{user_id}` → `/users/:user_id`, without the trailing slash (both forms are served). */
export const koaPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');

/**
 * A router that serves each route as body parsing (routes with a body) →
 * authentication (when asked) → validation → the route's own middleware →
 * its handler. Only routes with a body read one, so no other route can
 * answer 413 or a JSON-decode 422 (as in FastAPI, which reads no body it does not declare).
 */
export function buildRouter(
  routes: readonly Route[],
  { security, parseBody }: { security: Security; parseBody: Middleware },
): Router<RouteState> {
  const router = new Router<RouteState>({ strict: false });
  const authenticate = currentUser(security);
  for (const definition of routes) {
    const validate = async (ctx: RouteContext, next: () => Promise<unknown>) => {
      ctx.state.input = validateInput(definition, ctx);
      await next();
    };
    const handle = async (ctx: RouteContext) => {
      const input = { ...(ctx.state.input as object), user: ctx.state.user };
      try {
        // The union's two handler types take the same input here: `user` is set whenever `auth` is.
        ctx.body = await (definition.handler as (input: unknown, ctx: RouteContext) => unknown)(input, ctx);
      } catch (error) {
        throw conflictFor(error, definition.conflicts) ?? error;
      }
      ctx.status = definition.status;
    };
    const chain = [
      ...(definition.body ? [parseBody] : []),
      ...(definition.auth ? [authenticate] : []),
      validate,
      ...(definition.middleware ?? []),
      handle,
    ];
    router[definition.method](koaPath(definition.path), ...(chain as Middleware<RouteState>[]));
  }
  return router;
}
