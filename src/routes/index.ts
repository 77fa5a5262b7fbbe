import Router from '@koa/router';
import type { Knex } from 'knex';
import type { ParameterizedContext } from 'koa';
import { currentUser, type AuthState } from '../middleware/current-user.js';
import type { Security } from '../security.js';
import { authRoutes } from './auth.js';
import { healthRoutes, type Lifecycle } from './health.js';
import { rootRoutes } from './root.js';
import { validateInput, type Route } from './route.js';
import { todoRoutes } from './todos.js';
import { userRoutes } from './users.js';

/** Every endpoint of the API, in the order the docs list them. */
export function allRoutes(deps: { db: Knex; security: Security; lifecycle: Lifecycle }): Route[] {
  return [
    ...rootRoutes(),
    ...userRoutes(deps.security),
    ...authRoutes(deps.security),
    ...todoRoutes(),
    ...healthRoutes(deps.db, deps.lifecycle),
  ];
}

/** `/users/{user_id}` → `/users/:user_id`, without the trailing slash (both forms are served). */
export const koaPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');

/** A router that serves each route behind authentication (when asked) and validation. */
export function buildRouter(routes: readonly Route[], security: Security): Router<AuthState> {
  const router = new Router<AuthState>({ strict: false });
  const authenticate = currentUser(security);
  for (const definition of routes) {
    const handle = async (ctx: ParameterizedContext<AuthState> & { params: Record<string, string> }) => {
      const input = validateInput(definition, ctx);
      const body = await definition.handler({ ...input, user: ctx.state.user }, ctx);
      ctx.status = definition.status;
      ctx.body = body;
    };
    const path = koaPath(definition.path);
    if (definition.auth) router[definition.method](path, authenticate, handle);
    else router[definition.method](path, handle);
  }
  return router;
}
