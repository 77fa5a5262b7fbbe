import anyTest, { type TestFn } from 'ava';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { useTestApp, type TestApp } from './helpers/app.js';
import { createTodos, createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

type Document = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, unknown>; tags: string[]; requestBody?: { content: object } }>
  >;
} & Record<string, any>;

const fetchDocument = async (app: TestApp) => (await app.client.get<Document>('/openapi.json')).body;

/** `/users/:user_id` and `/users/{user_id}/` both become `/users/{user_id}`. */
const normalise = (path: string) => path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');

test('GET /openapi.json is a valid OpenAPI 3.1 document (checked by a real validator)', async (t) => {
  const document = await fetchDocument(t.context.app);
  t.is(document.openapi, '3.1.0');
  const result = await new Validator().validate(document);
  t.true(result.valid, JSON.stringify(result.errors, null, 2));
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
  // Both encodings FastAPI's Form() reads; Swagger UI offers them in a list.
  t.deepEqual(Object.keys(document.paths['/auth/token']?.post?.requestBody?.content ?? {}), [
    'application/x-www-form-urlencoded',
    'multipart/form-data',
  ]);
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
