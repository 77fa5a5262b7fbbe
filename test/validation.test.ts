import anyTest, { type TestFn } from 'ava';
import { useTestApp, type TestApp } from './helpers/app.js';
import { createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

test('malformed JSON → 422 json_invalid at body', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    raw: '{"username": "a",',
    headers: { 'content-type': 'application/json' },
  });
  t.is(response.status, 422);
  t.deepEqual(response.body.detail[0].loc, ['body']);
  t.is(response.body.detail[0].type, 'json_invalid');
});

test('a JSON array or string where an object belongs → 422, never a 500', async (t) => {
  for (const raw of ['[1,2,3]', '"text"', '42', 'null']) {
    const response = await t.context.app.client.post('/users/', {
      raw,
      headers: { 'content-type': 'application/json' },
    });
    t.is(response.status, 422, raw);
  }
});

test('only routes that take a body read one: elsewhere a malformed or oversized body changes nothing', async (t) => {
  const { client } = t.context.app;
  const user = await createUser(t.context.app);
  const malformed = { raw: '{"oops', headers: { 'content-type': 'application/json' } };
  const refresh = await client.post('/auth/refresh_token', { ...malformed, token: user.token });
  t.is(refresh.status, 200, 'POST /auth/refresh_token declares no body, so it neither parses nor refuses one');
  t.is((await client.post('/nope', malformed)).status, 404);
  t.is((await client.put('/', { json: { padding: 'x'.repeat(70 * 1024) } })).status, 405);
});

test('a body over BODY_LIMIT_KB → 413 Request body too large', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    json: { username: 'x'.repeat(70 * 1024), email: 'a@a.com', password: 'x' },
  });
  t.is(response.status, 413);
  t.deepEqual(response.body, { detail: 'Request body too large' });
});

test('NUL bytes in strings → 422 (PostgreSQL cannot store them)', async (t) => {
  const user = await createUser(t.context.app);
  const signUp = await t.context.app.client.post('/users/', {
    json: { username: 'nul\u0000user', email: 'nul@example.com', password: 'x' },
  });
  t.is(signUp.status, 422);
  t.deepEqual(signUp.body.detail[0].loc, ['body', 'username']);
  const todo = await t.context.app.client.post('/todos/', {
    token: user.token,
    json: { title: 'a\u0000', description: 'b', state: 'todo' },
  });
  t.is(todo.status, 422);
  const search = await t.context.app.client.get(`/todos/?title=${encodeURIComponent('ab\u0000c')}`, {
    token: user.token,
  });
  t.is(search.status, 422);
});

test('strings longer than the documented limits → 422 string_too_long', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/todos/', {
    token: user.token,
    json: { title: 't'.repeat(256), description: 'd', state: 'todo' },
  });
  t.is(response.status, 422);
  t.is(response.body.detail[0].type, 'string_too_long');
});

test('passwords over bcrypt’s 72 bytes are refused with 422, not silently cut', async (t) => {
  const tooLong = await t.context.app.client.post('/users/', {
    json: { username: 'longpw', email: 'longpw@example.com', password: 'é'.repeat(37) },
  });
  t.is(tooLong.status, 422);
  t.deepEqual(tooLong.body.detail[0].loc, ['body', 'password']);
  const atLimit = await t.context.app.client.post('/users/', {
    json: { username: 'pw72', email: 'pw72@example.com', password: 'a'.repeat(72) },
  });
  t.is(atLimit.status, 201);
});

test('wrong types → 422 string_type at the field', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    json: { username: 5, email: 'a@a.com', password: ['x'] },
  });
  t.is(response.status, 422);
  t.deepEqual(
    response.body.detail.map((d: { loc: string[]; type: string }) => [d.loc.join('.'), d.type]),
    [
      ['body.username', 'string_type'],
      ['body.password', 'string_type'],
    ],
  );
});

test('a form body where JSON is expected → 422, not a 500', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    form: { username: 'a', email: 'a@a.com', password: 'x' },
  });
  t.is(response.status, 422);
});

test('unknown fields are ignored, as pydantic does', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    json: { username: 'extra', email: 'extra@example.com', password: 'x', is_admin: true, id: 1 },
  });
  t.is(response.status, 201);
  t.not(response.body.id, 1);
});

test('path, query and body errors are reported together in one 422', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.patch('/todos/abc', { token: user.token, json: { state: 'nope' } });
  t.is(response.status, 422);
  t.deepEqual(
    response.body.detail.map((d: { loc: string[] }) => d.loc[0]),
    ['path', 'body'],
  );
});
