import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Middleware } from 'koa';

// Swagger UI needs inline styles and data: images; its scripts are same-origin files.
const IMG_SRC = ["'self'", 'data:'];

interface HeaderSet {
  readonly set: readonly (readonly [string, string])[];
  readonly removed: readonly string[];
}

/**
 * What helmet does to a response with these options. None of its headers
 * depends on the request (no CSP nonces here), so it runs once, against a
 * response that records, instead of as a dozen chained middleware functions
 * per request, a measurable share of a request's CPU (bench/RESULTS.md).
 */
function recordHelmet(options: HelmetOptions): HeaderSet {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet failed', { cause: error });
    finished = true;
  });
  // helmet's middleware is synchronous; if a version ever is not, fail at start-up, not per request.
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be recorded');
  return { set, removed };
}

export const HELMET_OVER_HTTPS: HelmetOptions = { contentSecurityPolicy: { directives: { 'img-src': IMG_SRC } } };
export const HELMET_OVER_HTTP: HelmetOptions = {
  contentSecurityPolicy: { directives: { 'img-src': IMG_SRC, 'upgrade-insecure-requests': null } },
  strictTransportSecurity: false,
};

/**
 * helmet's headers, with the two that only make sense over HTTPS sent only
 * there. Over plain HTTP at any address but localhost, `upgrade-insecure-requests`
 * makes the browser fetch every asset of /docs over https (a blank page), and
 * HSTS over HTTP is ignored at best. "Served over HTTPS" is Koa's ctx.secure:
 * the socket's own TLS, or X-Forwarded-Proto from one of the TRUST_PROXY proxies.
 */
export function securityHeaders(): Middleware {
  const overHttps = recordHelmet(HELMET_OVER_HTTPS);
  const overHttp = recordHelmet(HELMET_OVER_HTTP);
  return async (ctx, next) => {
    const { set, removed } = ctx.secure ? overHttps : overHttp;
    for (const name of removed) ctx.res.removeHeader(name);
    for (const [name, value] of set) ctx.res.setHeader(name, value);
    await next();
  };
}
