import cors from '@koa/cors';
import { bodyParser } from '@koa/bodyparser';
import type { Knex } from 'knex';
import Koa from 'koa';
import helmet from 'koa-helmet';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { errorBoundary } from './middleware/error-boundary.js';
import { loginRateLimit } from './middleware/login-rate-limit.js';
import { requestContext } from './middleware/request-context.js';
import { buildOpenApiDocument } from './openapi.js';
import { docs } from './routes/docs.js';
import type { Lifecycle } from './routes/health.js';
import { allRoutes, buildRouter } from './routes/index.js';
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
  const routes = allRoutes({ db, security, lifecycle });
  const router = buildRouter(routes, security);

  const app = new Koa();
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
  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: `${config.bodyLimitKb}kb`,
      formLimit: `${config.bodyLimitKb}kb`,
    }),
  );
  app.use(loginRateLimit(config.loginRateLimit, clock));
  app.use(docs(buildOpenApiDocument(routes, version)));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));

  return { app, routes, router, security };
}
