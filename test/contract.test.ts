import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startLocalPostgres } from '../src/db/embedded.js';
import { Client, type RequestOptions } from './helpers/app.js';
import { seedCluster } from './helpers/cluster-seed.js';
import { startPrismProxy, violationsOf, type Violation } from './helpers/prism.js';
import { spawnServer, stopServer } from './helpers/server-process.js';

type Document = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

/** What a step does wrong on purpose, as Prism should see it. */
type Provoked = 'nothing' | 'invalid input' | 'no credentials';

/** Prism's request violations, by what they are about. */
function provokedBy(violations: readonly Violation[]): Provoked[] {
  const kinds = violations.map((violation): string => {
    if (['body', 'query', 'path'].includes(String(violation.location[1]))) return 'invalid input';
    if (violation.code === 401) return 'no credentials';
    return `unexpected: ${violation.message}`;
  });
  return [...new Set(kinds)].sort() as Provoked[];
}

const alice = { username: 'alice', email: 'alice@example.com', password: 'alice-secret' };
const bob = { username: 'bob', email: 'bob@example.com', password: 'bob-secret' };
const carol = { username: 'carol', email: 'carol@example.com', password: 'carol-secret' };
const dave = { username: 'dave', email: 'dave@example.com', password: 'dave-secret' };
// Over BODY_LIMIT_KB=1 yet valid for the document, which ignores unknown properties, as pydantic does.
const padding = 'x'.repeat(2048);

test('the API through Stoplight Prism’s validating proxy, built from the served /openapi.json: every route and every documented status, no response violation, only the request violations a step provokes', async (t) => {
  t.timeout(180_000);
  const directory = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-contract-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  // Its own cluster, so the database can really go away under the running server for the 503s.
  await seedCluster(directory);
  const cluster = await startLocalPostgres({ directory, database: 'contract', persistent: false, fast: true });
  t.teardown(() => cluster.stop());
  const server = spawnServer({
    DATABASE_URL: cluster.url,
    DB_ACQUIRE_TIMEOUT_MS: '1000',
    DB_STATEMENT_TIMEOUT_MS: '2000',
    BODY_LIMIT_KB: '1',
    LOGIN_RATE_LIMIT: '2',
    SIGNUP_RATE_LIMIT: '4',
  });
  t.teardown(() => stopServer(server));
  await server.listening;
  const prism = await startPrismProxy(server.url('/openapi.json'), server.url(''));
  t.teardown(() => prism.stop());
  const document = (await (await fetch(server.url('/openapi.json'))).json()) as Document;
  const client = new Client(prism.url);

  const met = new Set<string>();
  /** One exchange through Prism: the expected status, no response violation, only the provoked request violation. */
  const call = async (
    operation: string,
    status: number,
    url: string,
    options: RequestOptions = {},
    provokes: Provoked = 'nothing',
  ) => {
    const [method = '', template = ''] = operation.split(' ');
    const response = await client.request(method.toUpperCase(), url, options);
    const label = `${method.toUpperCase()} ${url} (${template})`;
    const violations = violationsOf(response.headers);
    t.is(response.status, status, `${label}: ${response.text}`);
    t.deepEqual(
      violations.filter((violation) => violation.location[0] === 'response'),
      [],
      `${label} → ${response.status}: response violations`,
    );
    t.deepEqual(
      provokedBy(violations.filter((violation) => violation.location[0] !== 'response')),
      provokes === 'nothing' ? [] : [provokes],
      `${label} → ${response.status}: request violations ${JSON.stringify(violations)}`,
    );
    met.add(`${method} ${template} ${response.status}`);
    return response;
  };
  const form = (who: { email: string; password: string }) => ({
    form: { username: who.email, password: who.password },
  });

  await call('get /', 200, '/');
  await call('get /health/live', 200, '/health/live');
  await call('get /health/ready', 200, '/health/ready');

  // Sign-up: SIGNUP_RATE_LIMIT=4 counts every attempt that passes validation, the 409 included.
  const aliceId = (await call('post /users/', 201, '/users/', { json: alice })).body.id as number;
  const bobId = (await call('post /users/', 201, '/users/', { json: bob })).body.id as number;
  await call('post /users/', 409, '/users/', { json: { ...alice, email: 'alice2@example.com' } });
  const carolId = (await call('post /users/', 201, '/users/', { json: carol })).body.id as number;
  await call('post /users/', 422, '/users/', { json: { username: 'x' } }, 'invalid input');
  await call('post /users/', 413, '/users/', { json: { ...dave, padding } });
  await call('post /users/', 429, '/users/', { json: dave });

  await call('get /users/', 200, '/users/?offset=1&limit=2');
  await call('get /users/', 422, '/users/?limit=0', {}, 'invalid input');
  await call('get /users/{user_id}', 200, `/users/${aliceId}`);
  await call('get /users/{user_id}', 404, '/users/999999');
  await call('get /users/{user_id}', 422, '/users/abc', {}, 'invalid input');

  const tokenOf = async (who: typeof alice) =>
    (await call('post /auth/token', 200, '/auth/token', form(who))).body.access_token as string;
  const [aliceToken, bobToken, carolToken] = [await tokenOf(alice), await tokenOf(bob), await tokenOf(carol)];
  await call('post /auth/token', 422, '/auth/token', { form: { username: alice.email } }, 'invalid input');
  await call('post /auth/token', 413, '/auth/token', { form: { ...form(alice).form, padding } });
  // LOGIN_RATE_LIMIT=2 failures in a row for one account from one address, then 429.
  const stranger = { email: 'nobody@example.com', password: 'a guess' };
  await call('post /auth/token', 401, '/auth/token', form(stranger));
  await call('post /auth/token', 401, '/auth/token', form(stranger));
  await call('post /auth/token', 429, '/auth/token', form(stranger));
  await call('post /auth/refresh_token', 200, '/auth/refresh_token', { token: aliceToken });
  await call('post /auth/refresh_token', 401, '/auth/refresh_token', {}, 'no credentials');
  await call('post /auth/refresh_token', 401, '/auth/refresh_token', { token: 'not-a-token' });

  const auth = { token: aliceToken };
  const todoBody = { title: 'Write', description: 'the contract test', state: 'todo' };
  const todoId = (await call('post /todos/', 201, '/todos/', { ...auth, json: todoBody })).body.id as number;
  const bobTodoId = (await call('post /todos/', 201, '/todos/', { token: bobToken, json: todoBody })).body.id as number;
  await call('post /todos/', 401, '/todos/', { json: todoBody }, 'no credentials');
  await call('post /todos/', 422, '/todos/', { ...auth, json: { ...todoBody, state: 'bogus' } }, 'invalid input');
  await call('post /todos/', 413, '/todos/', { ...auth, json: { ...todoBody, padding } });
  await call('get /todos/', 200, '/todos/?title=Wri&state=todo&offset=0&limit=5', auth);
  await call('get /todos/', 401, '/todos/', {}, 'no credentials');
  await call('get /todos/', 422, '/todos/?title=ab', auth, 'invalid input');
  // The case: null means "leave it", and the document must say null is allowed.
  await call('patch /todos/{todo_id}', 200, `/todos/${todoId}`, { ...auth, json: { state: null } });
  await call('patch /todos/{todo_id}', 200, `/todos/${todoId}`, {
    ...auth,
    json: { title: 'Rewrite', description: null, state: 'doing' },
  });
  await call('patch /todos/{todo_id}', 401, `/todos/${todoId}`, { json: {} }, 'no credentials');
  await call('patch /todos/{todo_id}', 404, `/todos/${bobTodoId}`, { ...auth, json: {} });
  await call('patch /todos/{todo_id}', 422, `/todos/${todoId}`, { ...auth, json: { state: 'bogus' } }, 'invalid input');
  await call('patch /todos/{todo_id}', 413, `/todos/${todoId}`, { ...auth, json: { padding } });
  await call('delete /todos/{todo_id}', 401, `/todos/${todoId}`, {}, 'no credentials');
  await call('delete /todos/{todo_id}', 404, `/todos/${bobTodoId}`, auth);
  await call('delete /todos/{todo_id}', 422, '/todos/abc', auth, 'invalid input');
  await call('delete /todos/{todo_id}', 200, `/todos/${bobTodoId}`, { token: bobToken });

  await call('put /users/{user_id}', 200, `/users/${aliceId}`, { ...auth, json: alice });
  await call('put /users/{user_id}', 401, `/users/${aliceId}`, { json: alice }, 'no credentials');
  await call('put /users/{user_id}', 403, `/users/${bobId}`, { ...auth, json: alice });
  await call('put /users/{user_id}', 409, `/users/${aliceId}`, { ...auth, json: { ...alice, username: bob.username } });
  await call('put /users/{user_id}', 422, `/users/${aliceId}`, { ...auth, json: { username: 'a' } }, 'invalid input');
  await call('put /users/{user_id}', 413, `/users/${aliceId}`, { ...auth, json: { ...alice, padding } });
  await call('delete /users/{user_id}', 401, `/users/${carolId}`, {}, 'no credentials');
  await call('delete /users/{user_id}', 403, `/users/${bobId}`, auth);
  await call('delete /users/{user_id}', 422, '/users/abc', auth, 'invalid input');
  await call('delete /users/{user_id}', 200, `/users/${carolId}`, { token: carolToken });

  // A method a path does not list → 405 naming exactly the listed ones. Straight to the server: Prism
  // has no operation to judge a 405 by (and routes `PUT /users/` to `/users/{user_id}` with an empty id).
  const server405 = new Client(server.url(''));
  for (const [template, operations] of Object.entries(document.paths)) {
    const listed = Object.keys(operations).map((method) => method.toUpperCase());
    const allowed = [...listed, ...(listed.includes('GET') ? ['HEAD'] : [])].sort();
    for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'].filter((m) => !listed.includes(m))) {
      const url = template.replace(/\{\w+\}/g, String(todoId));
      const response = await server405.request(method, url);
      t.is(response.status, 405, `${method} ${url}`);
      t.deepEqual(response.body, { detail: 'Method Not Allowed' });
      t.deepEqual(response.headers.get('allow')?.split(', ').sort(), allowed, `${method} ${url}: Allow`);
      t.truthy(response.headers.get('x-request-id'));
      met.add(`${method.toLowerCase()} ${template} 405`);
    }
  }

  // The database goes away under the running server: every route that uses it answers 503, Retry-After included.
  await cluster.stop();
  const whileDown: [string, string, RequestOptions?][] = [
    ['post /users/', '/users/', { json: dave }],
    ['get /users/', '/users/'],
    ['get /users/{user_id}', `/users/${aliceId}`],
    ['put /users/{user_id}', `/users/${aliceId}`, { ...auth, json: alice }],
    ['delete /users/{user_id}', `/users/${aliceId}`, auth],
    ['post /auth/token', '/auth/token', form(alice)],
    ['post /auth/refresh_token', '/auth/refresh_token', auth],
    ['post /todos/', '/todos/', { ...auth, json: todoBody }],
    ['get /todos/', '/todos/', auth],
    ['patch /todos/{todo_id}', `/todos/${todoId}`, { ...auth, json: { state: 'done' } }],
    ['delete /todos/{todo_id}', `/todos/${todoId}`, auth],
    ['get /health/ready', '/health/ready'],
  ];
  for (const [operation, url, options] of whileDown) {
    const response = await call(operation, 503, url, options);
    t.regex(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/, `${operation}: Retry-After`);
  }
  await call('get /', 200, '/');
  await call('get /health/live', 200, '/health/live');

  const documented = Object.entries(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      Object.keys(operation.responses).map((status) => `${method} ${template} ${status}`),
    ),
  );
  t.deepEqual(
    documented.filter((answer) => !met.has(answer)),
    [],
    'every documented status of every operation was met',
  );
  const statuses = new Set([...met].map((answer) => Number(answer.split(' ')[2])));
  t.deepEqual([...statuses].sort(), [200, 201, 401, 403, 404, 405, 409, 413, 422, 429, 503]);
});
