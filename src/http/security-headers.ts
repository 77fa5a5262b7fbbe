import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

// Swagger UI needs inline styles and data: images; its scripts are same-origin files.
const IMG_SRC = ["'self'", 'data:'];

/**
 * helmet's headers, with the two that only make sense over HTTPS sent only
 * there. Over plain HTTP at any address but localhost, `upgrade-insecure-requests`
 * makes the browser fetch every asset of /docs over https (a blank page), and
 * HSTS over HTTP is ignored at best. "Served over HTTPS" is Koa's ctx.secure:
 * the socket's own TLS, or X-Forwarded-Proto from one of the TRUST_PROXY proxies.
 */
export function securityHeaders(): Middleware {
  const overHttps: Middleware = helmet({ contentSecurityPolicy: { directives: { 'img-src': IMG_SRC } } });
  const overHttp: Middleware = helmet({
    contentSecurityPolicy: { directives: { 'img-src': IMG_SRC, 'upgrade-insecure-requests': null } },
    strictTransportSecurity: false,
  });
  return async (ctx, next) => {
    await (ctx.secure ? overHttps : overHttp)(ctx, next);
  };
}
