import cors from '@koa/cors';
import { bodyParser } from '@koa/bodyparser';
import type { Knex } from 'knex';
import Koa from 'koa';
import helmet from 'koa-helmet';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { docs } from './http/docs.js';
import { errorBoundary } from './http/error-boundary.js';
import { methodNotAllowed } from './http/method-not-allowed.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { buildRouter } from './http/router.js';
import { loginProtection } from './middleware/login-protection.js';
import { requestContext } from './middleware/request-context.js';
import { signupThrottle } from './middleware/signup-throttle.js';
import type { Lifecycle } from './routes/health.js';
import { allRoutes } from './routes/index.js';
import { createSecurity, type Clock } from './security.js';

export interface AppDeps {
  readonly config: Config;
  readonly db: Knex;
  readonly logger: Logger;
  /** Defaults to the real clock; tests move it as the course does with freezegun. */
  readonly clock?: Clock;
  readonly lifecycle?: Lifecycle;
  readonly version?: string;
}

/** Builds the Koa app (app.py): middleware order and routers. Never listens, never reads the environment. */
export function createApp({
  config,
  db,
  logger,
  clock = Date.now,
  lifecycle = { draining: false },
  version = '0.0.0',
}: AppDeps) {
  const security = createSecurity({
    secretKey: config.secretKey,
    expireMinutes: config.accessTokenExpireMinutes,
    bcryptRounds: config.bcryptRounds,
    clock,
  });
  const limiterOptions = { logger, preparedStatements: config.db.preparedStatements };
  const login = loginProtection(db, config.loginLimits, limiterOptions);
  const routes = allRoutes({
    db,
    security,
    lifecycle,
    loginProtection: login,
    signupThrottle: signupThrottle(db, config.signupRateLimit, limiterOptions),
  });
  const parseBody = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: `${config.bodyLimitKb}kb`,
    formLimit: `${config.bodyLimitKb}kb`,
  });
  const router = buildRouter(routes, { security, parseBody });

  // Behind TRUST_PROXY proxies, ctx.ip is the client the outermost of them saw; with 0 the header is ignored.
  const app = new Koa({ proxy: config.trustProxy > 0, maxIpsCount: config.trustProxy });
  app.on('error', (error: unknown, ctx?: Koa.Context) => {
    logger.error(
      { err: error, requestId: ctx?.state.requestId, method: ctx?.method, path: ctx?.path },
      'request failed',
    );
  });

  app.use(requestContext(logger));
  app.use(errorBoundary());
  // Swagger UI needs inline styles and data: images; its scripts are same-origin files.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } } }));
  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    app.use(cors({ origin: (ctx) => (allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : '') }));
  }
  app.use(docs(buildOpenApiDocument(routes, version)));
  app.use(router.routes());
  app.use(methodNotAllowed(router));

  return { app, routes, router, security, loginProtection: login };
}
