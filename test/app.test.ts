import anyTest, { type TestFn } from 'ava';
import { useTestApp, type TestApp } from './helpers/app.js';

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

test('CORS is closed by default: no Access-Control-Allow-Origin', async (t) => {
  const response = await t.context.app.client.get('/', { headers: { origin: 'https://evil.example' } });
  t.is(response.headers.get('access-control-allow-origin'), null);
});
