import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import anyTest, { type TestFn } from 'ava';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { useTestApp, type TestApp } from './helpers/app.js';
import { createTodos, createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

interface Response {
  description: string;
  headers?: Record<string, { $ref: string }>;
}
interface Operation {
  responses: Record<string, Response>;
  tags: string[];
  security?: Record<string, string[]>[];
  requestBody?: unknown;
}
type Document = { paths: Record<string, Record<string, Operation>> } & Record<string, any>;

const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ name: `${method} ${path}`, operation })),
  );
const headersOf = (response: Response | undefined) => Object.keys(response?.headers ?? {}).sort();

const fetchDocument = async (app: TestApp) => (await app.client.get<Document>('/openapi.json')).body;

/** `/users/:user_id` and `/users/{user_id}/` both become `/users/{user_id}`. */
const normalise = (path: string) => path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');

test('GET /openapi.json is a valid OpenAPI 3.1 document (checked by a real validator)', async (t) => {
  const document = await fetchDocument(t.context.app);
  t.is(document.openapi, '3.1.0');
  const result = await new Validator().validate(document);
  t.true(result.valid, JSON.stringify(result.errors, null, 2));
});

test('Redocly’s recommended ruleset finds 0 errors in the served document (rules off only as redocly.yaml says why)', async (t) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-redocly-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'openapi.json');
  await writeFile(file, JSON.stringify(await fetchDocument(t.context.app)));
  const cli = path.resolve('node_modules/@redocly/cli/bin/cli.js');
  // `lint` exits 1 when it finds errors; the JSON report is printed either way.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [cli, 'lint', file, '--config', path.resolve('redocly.yaml'), '--format', 'json'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(stdout) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; severity: string; message: string }[];
  };
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  t.is(report.totals.errors, 0, JSON.stringify(errors, null, 2));
});

test('TodoUpdate’s title, description and state accept null in the document, as the server does (null: leave it)', async (t) => {
  const document = await fetchDocument(t.context.app);
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi');
  const validate = ajv.compile({ $ref: 'openapi#/components/schemas/TodoUpdate' });
  t.true(validate({ title: null, description: null, state: null }), JSON.stringify(validate.errors));
  t.true(validate({ title: 'a', state: 'done' }));
  t.false(validate({ state: 'bogus' }));
  t.false(validate({ title: 5 }));
  t.false(validate({ title: 'x'.repeat(256) }));
});

test('every status the API sends is documented with its headers: 413 on body routes, 503 on database routes, 429 on login and sign-up', async (t) => {
  const document = await fetchDocument(t.context.app);
  const offline = ['get /', 'get /health/live'];
  for (const { name, operation } of operationsOf(document)) {
    const { responses } = operation;
    for (const [status, response] of Object.entries(responses)) {
      t.true(headersOf(response).includes('X-Request-Id'), `${name} ${status}: X-Request-Id`);
    }
    t.is(Boolean(responses['413']), Boolean(operation.requestBody), `${name}: 413 exactly where there is a body`);
    t.is(Boolean(responses['503']), !offline.includes(name), `${name}: 503 exactly where the database is used`);
    if (responses['503']) t.deepEqual(headersOf(responses['503']), ['Retry-After', 'X-Request-Id'], name);
    if (responses['429']) t.deepEqual(headersOf(responses['429']), ['Retry-After', 'X-Request-Id'], name);
  }
  t.truthy(document.paths['/auth/token']?.post?.responses['429']);
  t.truthy(document.paths['/users/']?.post?.responses['429']);
  t.deepEqual(document.components.headers['Retry-After'].schema, { type: 'integer', minimum: 1 });
});

test('a bearer 401 declares WWW-Authenticate; the 401 of POST /auth/token means wrong credentials and carries none', async (t) => {
  const document = await fetchDocument(t.context.app);
  const login = document.paths['/auth/token']?.post?.responses['401'];
  t.is(login?.description, 'Incorrect email or password');
  t.deepEqual(headersOf(login), ['X-Request-Id']);
  for (const { name, operation } of operationsOf(document)) {
    if (name === 'post /auth/token' || !operation.responses['401']) continue;
    t.deepEqual(headersOf(operation.responses['401']), ['WWW-Authenticate', 'X-Request-Id'], name);
    t.regex(operation.responses['401'].description, /bearer token/);
  }
  const bearer = await t.context.app.client.get('/todos/');
  t.is(bearer.headers.get('www-authenticate'), 'Bearer');
  const wrong = await t.context.app.client.post('/auth/token', { form: { username: 'no@example.com', password: 'x' } });
  t.is(wrong.status, 401);
  t.is(wrong.headers.get('www-authenticate'), null);
});

test('the document names its server, and every operation states its security (public ones an explicit [])', async (t) => {
  const document = await fetchDocument(t.context.app);
  t.deepEqual(
    document.servers.map((server: { url: string }) => server.url),
    ['/'],
  );
  for (const { name, operation } of operationsOf(document)) {
    const expected = operation.responses['401'] && name !== 'post /auth/token' ? [{ OAuth2PasswordBearer: [] }] : [];
    t.deepEqual(operation.security, expected, name);
  }
});

test('every route the router serves is documented, and every documented route is served', async (t) => {
  const document = await fetchDocument(t.context.app);
  const served = new Set<string>();
  for (const layer of t.context.app.app.router.stack) {
    for (const method of layer.methods) if (method !== 'HEAD') served.add(`${method} ${normalise(String(layer.path))}`);
  }
  const documented = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${normalise(path)}`);
  }
  t.deepEqual([...served].sort(), [...documented].sort());
  t.true(served.size >= 14);
});

test('tags, the OAuth2 password scheme and the error responses are documented', async (t) => {
  const document = await fetchDocument(t.context.app);
  t.deepEqual(document.components.securitySchemes.OAuth2PasswordBearer.flows.password, {
    tokenUrl: '/auth/token',
    refreshUrl: '/auth/refresh_token',
    scopes: {},
  });
  const tags = new Set(
    Object.values(document.paths).flatMap((operations) => Object.values(operations).flatMap((op) => op.tags)),
  );
  for (const tag of ['users', 'auth', 'todos']) t.true(tags.has(tag));
  t.truthy(document.paths['/users/']?.post?.responses['409']);
  t.truthy(document.paths['/users/{user_id}']?.put?.responses['403']);
  t.truthy(document.paths['/todos/{todo_id}']?.patch?.responses['404']);
  t.truthy(document.paths['/todos/']?.get?.responses['401']);
  t.truthy(document.paths['/todos/']?.get?.responses['422']);
  t.truthy(document.paths['/auth/token']?.post?.responses['401']);
});

test('real responses of every route validate against their documented schema', async (t) => {
  const { client } = t.context.app;
  const document = await fetchDocument(t.context.app);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi');
  const check = (method: string, path: string, status: number, body: unknown) => {
    const pointer = ['paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const validate = ajv.compile({ $ref: `openapi#/${pointer}` });
    t.true(validate(body), `${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(validate.errors)}`);
  };

  const user = await createUser(t.context.app);
  const other = await createUser(t.context.app);
  const [todo] = await createTodos(user.id, 2);
  const auth = { token: user.token };
  const samples: [string, string, string, object][] = [
    ['get', '/', '/', {}],
    ['post', '/users/', '/users/', { json: { username: 'doc', email: 'doc@example.com', password: 'x' } }],
    ['post', '/users/', '/users/', { json: { username: user.username, email: 'n@example.com', password: 'x' } }],
    ['post', '/users/', '/users/', { json: {} }],
    ['get', '/users/', '/users/', {}],
    ['get', '/users/', '/users/?limit=0', {}],
    ['get', '/users/{user_id}', `/users/${user.id}`, {}],
    ['get', '/users/{user_id}', '/users/999999', {}],
    [
      'put',
      '/users/{user_id}',
      `/users/${user.id}`,
      { ...auth, json: { username: user.username, email: user.email, password: 'y' } },
    ],
    [
      'put',
      '/users/{user_id}',
      `/users/${other.id}`,
      { ...auth, json: { username: 'a', email: 'a@a.com', password: 'y' } },
    ],
    ['post', '/auth/token', '/auth/token', { form: { username: user.email, password: 'y' } }],
    ['post', '/auth/token', '/auth/token', { form: { username: user.email, password: 'wrong' } }],
    ['post', '/auth/refresh_token', '/auth/refresh_token', auth],
    ['post', '/auth/refresh_token', '/auth/refresh_token', {}],
    ['post', '/todos/', '/todos/', { ...auth, json: { title: 't', description: 'd', state: 'todo' } }],
    ['get', '/todos/', '/todos/?state=todo', auth],
    ['patch', '/todos/{todo_id}', `/todos/${todo!.id}`, { ...auth, json: { state: 'done' } }],
    ['patch', '/todos/{todo_id}', '/todos/999999', { ...auth, json: {} }],
    ['delete', '/todos/{todo_id}', `/todos/${todo!.id}`, auth],
    ['delete', '/users/{user_id}', `/users/${other.id}`, auth],
    ['delete', '/users/{user_id}', `/users/${user.id}`, auth],
    ['get', '/health/live', '/health/live', {}],
    ['get', '/health/ready', '/health/ready', {}],
  ];
  const seen = new Set<string>();
  for (const [method, documented, url, options] of samples) {
    const response = await client.request(method.toUpperCase(), url, options);
    t.truthy(
      document.paths[documented]?.[method]?.responses[String(response.status)],
      `${method} ${url} answered an undocumented ${response.status}`,
    );
    check(method, documented, response.status, response.body);
    seen.add(`${method} ${documented}`);
  }
  t.is(
    seen.size,
    Object.values(document.paths).reduce((n, operations) => n + Object.keys(operations).length, 0),
    'every operation sampled',
  );
});

test('GET /docs serves Swagger UI from same-origin assets only (works offline)', async (t) => {
  const { client } = t.context.app;
  const page = await client.get('/docs');
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /text\/html/);
  const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
  t.true(sources.length >= 4);
  for (const source of sources) {
    t.true(source.startsWith('/docs/'), `${source} is same-origin`);
    t.is((await client.get(source)).status, 200, source);
  }
  t.regex((await client.get('/docs/assets/init.js')).text, /persistAuthorization: true/);
  t.is((await client.get('/docs/assets/../../package.json')).status, 404);
});
