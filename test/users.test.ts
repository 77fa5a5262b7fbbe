import anyTest, { type TestFn } from 'ava';
import { Todo } from '../src/models/todo.js';
import { User } from '../src/models/user.js';
import { useTestApp, type TestApp } from './helpers/app.js';
import { createTodos, createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

test('POST /users/ → 201 with the public user, password stored as a bcrypt hash', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    json: { username: 'alice', email: 'alice@example.com', password: 'secret' },
  });
  t.is(response.status, 201);
  t.deepEqual(Object.keys(response.body).sort(), ['email', 'id', 'username']);
  t.like(response.body, { username: 'alice', email: 'alice@example.com' });
  const stored = await User.query().findById(response.body.id);
  t.not(stored?.password, 'secret');
  t.regex(stored?.password ?? '', /^\$2[aby]\$04\$/);
});

test('POST /users/ with a taken username → 409 Username already exists', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/users/', {
    json: { username: user.username, email: 'other@example.com', password: 'secret' },
  });
  t.is(response.status, 409);
  t.deepEqual(response.body, { detail: 'Username already exists' });
});

test('POST /users/ with a taken email → 409 Email already exists', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/users/', {
    json: { username: 'someone_new', email: user.email, password: 'secret' },
  });
  t.is(response.status, 409);
  t.deepEqual(response.body, { detail: 'Email already exists' });
});

test('POST /users/ with an invalid email → 422 at body.email', async (t) => {
  const response = await t.context.app.client.post('/users/', {
    json: { username: 'bob', email: 'not-an-email', password: 'secret' },
  });
  t.is(response.status, 422);
  t.deepEqual(response.body.detail[0].loc, ['body', 'email']);
  t.is(response.body.detail[0].type, 'value_error');
});

test('POST /users/ with missing fields → 422 listing each one as missing', async (t) => {
  const response = await t.context.app.client.post('/users/', { json: {} });
  t.is(response.status, 422);
  t.deepEqual(
    response.body.detail.map((d: { loc: string[] }) => d.loc),
    [
      ['body', 'username'],
      ['body', 'email'],
      ['body', 'password'],
    ],
  );
  t.true(
    response.body.detail.every(
      (d: { type: string; msg: string }) => d.type === 'missing' && d.msg === 'Field required',
    ),
  );
});

test('12 concurrent sign-ups with one username → exactly one 201 and eleven 409', async (t) => {
  const { client } = t.context.app;
  const responses = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      client.post('/users/', { json: { username: 'racer', email: `racer${i}@example.com`, password: 'secret' } }),
    ),
  );
  const statuses = responses.map((r) => r.status).sort();
  t.deepEqual(statuses, [201, ...Array<number>(11).fill(409)]);
  t.true(responses.filter((r) => r.status === 409).every((r) => r.body.detail === 'Username already exists'));
});

test('GET /users/ → 200 users ordered by id, with offset and limit', async (t) => {
  const { client } = t.context.app;
  const created = [await createUser(t.context.app), await createUser(t.context.app), await createUser(t.context.app)];
  const all = await client.get('/users/?limit=1000');
  t.is(all.status, 200);
  const ids = all.body.users.map((u: { id: number }) => u.id);
  t.deepEqual(
    ids,
    [...ids].sort((a: number, b: number) => a - b),
  );
  for (const user of created) t.true(ids.includes(user.id));
  t.false(JSON.stringify(all.body).includes('password'));

  const index = ids.indexOf(created[1]!.id);
  const page = await client.get(`/users/?offset=${index}&limit=2`);
  t.deepEqual(
    page.body.users.map((u: { id: number }) => u.id),
    ids.slice(index, index + 2),
  );
});

for (const [query, loc] of [
  ['offset=-1', 'offset'],
  ['limit=0', 'limit'],
  ['limit=1001', 'limit'],
  ['limit=abc', 'limit'],
  ['offset=1.5', 'offset'],
] as const) {
  test(`GET /users/?${query} → 422 at query.${loc}`, async (t) => {
    const response = await t.context.app.client.get(`/users/?${query}`);
    t.is(response.status, 422);
    t.deepEqual(response.body.detail[0].loc, ['query', loc]);
  });
}

test('GET /users/{id} → 200 the user; unknown id → 404 User not found', async (t) => {
  const user = await createUser(t.context.app);
  const found = await t.context.app.client.get(`/users/${user.id}`);
  t.is(found.status, 200);
  t.deepEqual(found.body, { id: user.id, username: user.username, email: user.email });
  const missing = await t.context.app.client.get('/users/999999');
  t.is(missing.status, 404);
  t.deepEqual(missing.body, { detail: 'User not found' });
});

for (const id of ['abc', '1.5', '-1', '0', '2147483648', '99999999999999999999']) {
  test(`GET /users/${id} → a 4xx, never a 500`, async (t) => {
    const response = await t.context.app.client.get(`/users/${id}`);
    t.true(response.status === 404 || response.status === 422, `got ${response.status}`);
  });
}

test('PUT /users/{id} → 200, and the new password is re-hashed and works', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.put(`/users/${user.id}`, {
    token: user.token,
    json: { username: `${user.username}_2`, email: `new_${user.email}`, password: 'newpassword' },
  });
  t.is(response.status, 200);
  t.deepEqual(response.body, { id: user.id, username: `${user.username}_2`, email: `new_${user.email}` });
  const login = await t.context.app.client.post('/auth/token', {
    form: { username: `new_${user.email}`, password: 'newpassword' },
  });
  t.is(login.status, 200);
});

test('PUT /users/{id} on someone else → 403 Not enough permissions', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  const response = await t.context.app.client.put(`/users/${other.id}`, {
    token: me.token,
    json: { username: 'x', email: 'x@example.com', password: 'x' },
  });
  t.is(response.status, 403);
  t.deepEqual(response.body, { detail: 'Not enough permissions' });
});

test('PUT /users/{id} to a taken username or email → 409 Username or Email already exists', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  for (const json of [
    { username: other.username, email: me.email, password: 'x' },
    { username: me.username, email: other.email, password: 'x' },
  ]) {
    const response = await t.context.app.client.put(`/users/${me.id}`, { token: me.token, json });
    t.is(response.status, 409);
    t.deepEqual(response.body, { detail: 'Username or Email already exists' });
  }
});

test('PUT /users/{id} without a token → 401 Not authenticated', async (t) => {
  const response = await t.context.app.client.put('/users/1', {
    json: { username: 'x', email: 'x@x.com', password: 'x' },
  });
  t.is(response.status, 401);
  t.deepEqual(response.body, { detail: 'Not authenticated' });
  t.is(response.headers.get('www-authenticate'), 'Bearer');
});

test('concurrent PUTs to one username → one 200, the rest 409', async (t) => {
  const users = await Promise.all(Array.from({ length: 6 }, () => createUser(t.context.app)));
  const responses = await Promise.all(
    users.map((user) =>
      t.context.app.client.put(`/users/${user.id}`, {
        token: user.token,
        json: { username: 'contested', email: user.email, password: 'x' },
      }),
    ),
  );
  t.deepEqual(responses.map((r) => r.status).sort(), [200, 409, 409, 409, 409, 409]);
});

test('DELETE /users/{id} → 200 User deleted, and the user and their todos are gone', async (t) => {
  const user = await createUser(t.context.app);
  await createTodos(user.id, 3);
  const response = await t.context.app.client.delete(`/users/${user.id}`, { token: user.token });
  t.is(response.status, 200);
  t.deepEqual(response.body, { message: 'User deleted' });
  t.is(await User.query().findById(user.id), undefined);
  t.is((await Todo.query().where('user_id', user.id)).length, 0);
});

test('DELETE /users/{id} on someone else → 403, and nothing is deleted', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  const response = await t.context.app.client.delete(`/users/${other.id}`, { token: me.token });
  t.is(response.status, 403);
  t.deepEqual(response.body, { detail: 'Not enough permissions' });
  t.truthy(await User.query().findById(other.id));
});
