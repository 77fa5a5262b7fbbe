import anyTest, { type TestFn } from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import helmet from 'helmet';
import pinoPretty from 'pino-pretty';
import { HELMET_OVER_HTTP, HELMET_OVER_HTTPS } from '../src/http/security-headers.js';
import { createLogger, PRETTY_OPTIONS } from '../src/logger.js';
import { startTestApp, useTestApp, type TestApp } from './helpers/app.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

test('GET / → 200 Olá Mundo!', async (t) => {
  const response = await t.context.app.client.get('/');
  t.is(response.status, 200);
  t.deepEqual(response.body, { message: 'Olá Mundo!' });
});

test('an unknown path → 404 {"detail":"Not Found"} as JSON', async (t) => {
  const response = await t.context.app.client.get('/nope');
  t.is(response.status, 404);
  t.deepEqual(response.body, { detail: 'Not Found' });
  t.regex(response.headers.get('content-type') ?? '', /application\/json/);
});

test('a known path with the wrong method → 405 {"detail":"Method Not Allowed"}', async (t) => {
  const response = await t.context.app.client.request('PATCH', '/users/');
  t.is(response.status, 405);
  t.deepEqual(response.body, { detail: 'Method Not Allowed' });
});

test('a 405 names the methods the path serves in Allow (RFC 9110), as FastAPI does', async (t) => {
  const { client } = t.context.app;
  const allow = async (method: string, path: string) => {
    const response = await client.request(method, path);
    t.is(response.status, 405, `${method} ${path}`);
    return response.headers.get('allow')?.split(', ').sort();
  };
  t.deepEqual(await allow('PATCH', '/users/'), ['GET', 'HEAD', 'POST']);
  t.deepEqual(await allow('POST', '/users/1'), ['DELETE', 'GET', 'HEAD', 'PUT']);
  t.deepEqual(await allow('GET', '/auth/token'), ['POST']);
  t.deepEqual(await allow('PUT', '/'), ['GET', 'HEAD']);
});

test('a method the router does not know → 405 with Allow on a known path, 404 elsewhere; never a 5xx', async (t) => {
  const { client } = t.context.app;
  const known = await client.request('PROPFIND', '/todos/');
  t.is(known.status, 405);
  t.deepEqual(known.body, { detail: 'Method Not Allowed' });
  t.deepEqual(known.headers.get('allow')?.split(', ').sort(), ['GET', 'HEAD', 'POST']);
  const unknown = await client.request('PROPFIND', '/nope');
  t.is(unknown.status, 404);
  t.deepEqual(unknown.body, { detail: 'Not Found' });
  t.is(unknown.headers.get('allow'), null);
});

test('paths answer with and without the trailing slash, never redirecting', async (t) => {
  const { client } = t.context.app;
  for (const path of ['/users', '/users/', '/users/1', '/users/1/']) {
    const response = await client.get(path);
    t.true([200, 404].includes(response.status), `${path} → ${response.status}`);
    t.not(response.status, 307);
  }
  t.is((await client.get('/users')).status, 200);
  t.is((await client.get('/users/')).status, 200);
});

test('every response carries a request id, echoing a safe X-Request-Id', async (t) => {
  const { client } = t.context.app;
  t.is((await client.get('/', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id'), 'abc-123');
  const generated = (await client.get('/', { headers: { 'x-request-id': 'bad id\twith spaces' } })).headers.get(
    'x-request-id',
  );
  t.regex(generated ?? '', /^[0-9a-f-]{36}$/);
});

test('security headers are set and X-Powered-By is absent', async (t) => {
  const response = await t.context.app.client.get('/');
  t.is(response.headers.get('x-content-type-options'), 'nosniff');
  t.truthy(response.headers.get('content-security-policy'));
  t.is(response.headers.get('x-powered-by'), null);
});

/** The headers helmet itself sets on a live response with these options, run per request as it is meant to. */
async function liveHelmetHeaders(options: Parameters<typeof helmet>[0]): Promise<Map<string, string>> {
  const middleware = helmet(options);
  const server = createServer((req, res) => middleware(req, res, () => res.end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const ignored = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
    return new Map([...response.headers].filter(([name]) => !ignored.has(name)));
  } finally {
    server.close();
  }
}

test('the security headers, recorded from helmet once at start-up, are the ones helmet sets live (HTTP and HTTPS)', async (t) => {
  // Behind one trusted proxy, X-Forwarded-Proto: https makes the request an HTTPS one.
  const app = await startTestApp({ database: t.context.app.database, env: { TRUST_PROXY: '1' } });
  t.teardown(() => app.close());
  const { client } = app;
  const cases: { options: typeof HELMET_OVER_HTTP; headers: Record<string, string> }[] = [
    { options: HELMET_OVER_HTTP, headers: {} },
    { options: HELMET_OVER_HTTPS, headers: { 'x-forwarded-proto': 'https' } },
  ];
  for (const { options, headers } of cases) {
    const expected = await liveHelmetHeaders(options);
    t.true(expected.size >= 10, 'helmet sets a dozen headers');
    const response = await client.get('/', { headers });
    for (const [name, value] of expected) t.is(response.headers.get(name), value, name);
  }
});

test('CORS is closed by default: no Access-Control-Allow-Origin', async (t) => {
  const response = await t.context.app.client.get('/', { headers: { origin: 'https://evil.example' } });
  t.is(response.headers.get('access-control-allow-origin'), null);
});

test('passing health probes are logged at debug, every other request at info', async (t) => {
  const entries: { level: number; path?: string; status?: number }[] = [];
  const logger = createLogger(
    { level: 'info', format: 'json' },
    { write: (line: string) => entries.push(JSON.parse(line)) },
  );
  const app = await startTestApp({ database: t.context.app.database, logger });
  t.teardown(() => app.close());
  for (const path of ['/health/live', '/health/ready', '/']) t.is((await app.client.get(path)).status, 200);
  t.deepEqual(
    entries.filter((entry) => entry.status).map((entry) => entry.path),
    ['/'],
  );
  logger.level = 'debug';
  await app.client.get('/health/live');
  t.like(entries.at(-1), { level: 20, path: '/health/live', status: 200 });
});

test('the development log (pino-pretty) writes one line per request', async (t) => {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const pretty = pinoPretty({ ...PRETTY_OPTIONS, colorize: false, sync: true, destination: sink });
  const logger = createLogger({ level: 'info', format: 'pretty' }, pretty);
  const app = await startTestApp({ database: t.context.app.database, logger });
  t.teardown(() => app.close());
  await app.client.get('/', { headers: { 'x-request-id': 'pretty-1' } });
  await app.client.get('/nope');
  await app.client.post('/users/', { json: { username: 'x' } });
  const lines = output.trimEnd().split('\n');
  t.is(lines.length, 3, output);
  t.regex(lines[0] ?? '', /^\[\d\d:\d\d:\d\d\] INFO: GET \/ 200 [\d.]+ms$/);
  t.regex(lines[2] ?? '', /INFO: POST \/users\/ 422 [\d.]+ms$/);
});
