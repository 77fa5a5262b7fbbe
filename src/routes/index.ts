import type { Knex } from 'knex';
import type { Route } from '../http/route.js';
import type { Middleware } from 'koa';
import type { RouteState } from '../http/route.js';
import type { LoginProtection } from '../middleware/login-protection.js';
import type { Security } from '../security.js';
import { authRoutes } from './auth.js';
import { healthRoutes, type Lifecycle } from './health.js';
import { rootRoutes } from './root.js';
import { todoRoutes } from './todos.js';
import { userRoutes } from './users.js';

export interface RouteDeps {
  readonly db: Knex;
  readonly security: Security;
  readonly lifecycle: Lifecycle;
  readonly loginProtection: LoginProtection;
  readonly signupThrottle: readonly Middleware<RouteState>[];
}

/** Every endpoint of the API, in the order the docs list them (the course's routers/). */
export function allRoutes(deps: RouteDeps): Route[] {
  return [
    ...rootRoutes(),
    ...userRoutes(deps),
    ...authRoutes(deps),
    ...todoRoutes(),
    ...healthRoutes(deps.db, deps.lifecycle),
  ];
}
