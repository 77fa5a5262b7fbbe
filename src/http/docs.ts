import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';
// Only the path helper: the package's main module loads the whole Swagger UI
// browser bundle into the server (parsed, and kept in memory, for nothing).
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path.js';

// Only these files are served, from the package itself: /docs works with no internet.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Fast Zero - Swagger UI</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so the Content-Security-Policy can stay 'self'.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** GET /openapi.json, /docs and its assets. */
export function docs(document: object): Middleware {
  const json = JSON.stringify(document);
  const cache = new Map<string, Buffer>();
  const assetDir = getAbsoluteFSPath();

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    if (ctx.path === '/openapi.json') {
      ctx.type = 'application/json';
      ctx.body = json;
    } else if (ctx.path === '/docs' || ctx.path === '/docs/') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = PAGE;
    } else if (ctx.path === '/docs/assets/init.js') {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = INIT;
    } else if (ctx.path.startsWith('/docs/assets/') && ASSETS[ctx.path.slice(13)]) {
      const name = ctx.path.slice(13);
      let content = cache.get(name);
      if (!content) cache.set(name, (content = await readFile(path.join(assetDir, name))));
      ctx.type = ASSETS[name] as string;
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = content;
    } else {
      await next();
    }
  };
}
