import anyTest, { type TestFn } from 'ava';
import { Todo } from '../src/models/todo.js';
import { todoPublic } from '../src/schemas/todos.js';
import { startTestApp, useTestApp, type TestApp } from './helpers/app.js';
import { createTodos, createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test('POST /todos/ → 201 with every field of TodoPublic', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/todos/', {
    token: user.token,
    json: { title: 'Test todo', description: 'Test todo description', state: 'draft' },
  });
  t.is(response.status, 201);
  t.deepEqual(Object.keys(response.body).sort(), ['created_at', 'description', 'id', 'state', 'title', 'updated_at']);
  t.like(response.body, { title: 'Test todo', description: 'Test todo description', state: 'draft' });
  t.regex(response.body.created_at, ISO_UTC);
  t.regex(response.body.updated_at, ISO_UTC);
  t.is((await Todo.query().findById(response.body.id))?.user_id, user.id);
});

test('POST /todos/ without a token → 401 Not authenticated', async (t) => {
  const response = await t.context.app.client.post('/todos/', {
    json: { title: 'a', description: 'b', state: 'todo' },
  });
  t.is(response.status, 401);
  t.deepEqual(response.body, { detail: 'Not authenticated' });
});

test('POST /todos/ with a state outside the enum → 422 at body.state', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/todos/', {
    token: user.token,
    json: { title: 'a', description: 'b', state: 'test' },
  });
  t.is(response.status, 422);
  t.deepEqual(response.body.detail[0].loc, ['body', 'state']);
  t.is(response.body.detail[0].type, 'enum');
  t.is(response.body.detail[0].msg, "Input should be 'draft', 'todo', 'doing', 'done' or 'trash'");
});

test('GET /todos/ → 200 only the caller’s 5 todos, ordered by id', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  const mine = await createTodos(me.id, 5);
  await createTodos(other.id, 3);
  const response = await t.context.app.client.get('/todos/', { token: me.token });
  t.is(response.status, 200);
  t.deepEqual(
    response.body.todos.map((todo: { id: number }) => todo.id),
    mine.map((todo) => todo.id).sort((a, b) => a - b),
  );
});

test('GET /todos/?offset=1&limit=2 → 2 todos', async (t) => {
  const user = await createUser(t.context.app);
  const todos = await createTodos(user.id, 5);
  const response = await t.context.app.client.get('/todos/?offset=1&limit=2', { token: user.token });
  t.deepEqual(
    response.body.todos.map((todo: { id: number }) => todo.id),
    todos.map((todo) => todo.id).slice(1, 3),
  );
});

test('GET /todos/?title= matches a substring of the title', async (t) => {
  const user = await createUser(t.context.app);
  await createTodos(user.id, 5, { title: 'Test todo 1' });
  await createTodos(user.id, 2, { title: 'Other' });
  const response = await t.context.app.client.get('/todos/?title=Test todo 1', { token: user.token });
  t.is(response.body.todos.length, 5);
  const partial = await t.context.app.client.get('/todos/?title=st to', { token: user.token });
  t.is(partial.body.todos.length, 5);
});

test('GET /todos/?description= matches a substring of the description', async (t) => {
  const user = await createUser(t.context.app);
  await createTodos(user.id, 5, { description: 'description' });
  await createTodos(user.id, 1, { description: 'other text' });
  const response = await t.context.app.client.get('/todos/?description=desc', { token: user.token });
  t.is(response.body.todos.length, 5);
});

test('GET /todos/?state= filters by state', async (t) => {
  const user = await createUser(t.context.app);
  await createTodos(user.id, 5, { state: 'draft' });
  await createTodos(user.id, 2, { state: 'done' });
  const response = await t.context.app.client.get('/todos/?state=draft', { token: user.token });
  t.is(response.body.todos.length, 5);
  t.true(response.body.todos.every((todo: { state: string }) => todo.state === 'draft'));
});

test('GET /todos/ with combined filters returns only todos matching all of them', async (t) => {
  const user = await createUser(t.context.app);
  await createTodos(user.id, 5, { title: 'Test todo combined', description: 'combined description', state: 'done' });
  await createTodos(user.id, 3, { title: 'Other title', description: 'other description', state: 'todo' });
  const response = await t.context.app.client.get('/todos/?title=Test todo combined&description=combined&state=done', {
    token: user.token,
  });
  t.is(response.body.todos.length, 5);
});

test('% and _ in filters are literal characters, never wildcards', async (t) => {
  const user = await createUser(t.context.app);
  await createTodos(user.id, 1, { title: '100% done', description: 'snake_case' });
  await createTodos(user.id, 1, { title: '100 percent done', description: 'snakeXcase' });
  const { client } = t.context.app;
  const percent = await client.get(`/todos/?title=${encodeURIComponent('0% d')}`, { token: user.token });
  t.deepEqual(
    percent.body.todos.map((todo: { title: string }) => todo.title),
    ['100% done'],
  );
  const underscore = await client.get('/todos/?description=e_c', { token: user.token });
  t.deepEqual(
    underscore.body.todos.map((todo: { description: string }) => todo.description),
    ['snake_case'],
  );
  const backslash = await client.get(`/todos/?title=${encodeURIComponent('x\\%y')}`, { token: user.token });
  t.is(backslash.status, 200);
  t.is(backslash.body.todos.length, 0);
});

for (const [query, loc] of [
  ['title=ab', 'title'],
  ['title=' + 'x'.repeat(21), 'title'],
  ['description=ab', 'description'],
  ['state=nope', 'state'],
  ['offset=-1', 'offset'],
  ['limit=0', 'limit'],
] as const) {
  test(`GET /todos/?${query.slice(0, 20)} → 422 at query.${loc}`, async (t) => {
    const user = await createUser(t.context.app);
    const response = await t.context.app.client.get(`/todos/?${query}`, { token: user.token });
    t.is(response.status, 422);
    t.deepEqual(response.body.detail[0].loc, ['query', loc]);
  });
}

test('PATCH /todos/{id} → 200 the whole todo; updated_at moves, created_at does not', async (t) => {
  const user = await createUser(t.context.app);
  const [todo] = await createTodos(user.id, 1, { title: 'before', state: 'draft' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const response = await t.context.app.client.patch(`/todos/${todo!.id}`, {
    token: user.token,
    json: { title: 'teste!' },
  });
  t.is(response.status, 200);
  t.like(response.body, { id: todo!.id, title: 'teste!', description: todo!.description, state: 'draft' });
  t.is(response.body.created_at, todo!.created_at);
  t.true(Date.parse(response.body.updated_at) > Date.parse(response.body.created_at));
});

test('PATCH /todos/{id} with null fields leaves them unchanged', async (t) => {
  const user = await createUser(t.context.app);
  const [todo] = await createTodos(user.id, 1, { state: 'todo' });
  const response = await t.context.app.client.patch(`/todos/${todo!.id}`, {
    token: user.token,
    json: { title: null, state: 'done' },
  });
  t.like(response.body, { title: todo!.title, state: 'done' });
});

// Serial: no other test's queries run while this one listens to the database.
test.serial(
  'PATCH /todos/{id} that changes nothing ({} or only nulls) → 200 the todo, no UPDATE, updated_at stays',
  async (t) => {
    const user = await createUser(t.context.app);
    const [todo] = await createTodos(user.id, 1);
    const statements: string[] = [];
    const listen = (query: { sql: string }) => statements.push(query.sql);
    const { db } = t.context.app.database;
    db.on('query', listen);
    t.teardown(() => db.off('query', listen));
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const json of [{}, { title: null, description: null, state: null }]) {
      const response = await t.context.app.client.patch(`/todos/${todo!.id}`, { token: user.token, json });
      t.is(response.status, 200);
      t.deepEqual(response.body, todoPublic(todo!));
    }
    t.true(statements.length > 0, 'the listener sees the requests’ queries');
    t.deepEqual(
      statements.filter((sql) => /^update\b/i.test(sql)),
      [],
    );
    t.is((await Todo.query().findById(todo!.id))?.updated_at, todo!.updated_at);
  },
);

test('PATCH /todos/{id} that changes nothing, on another user’s todo → 404 all the same', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  const [todo] = await createTodos(other.id, 1);
  for (const json of [{}, { state: null }]) {
    const response = await t.context.app.client.patch(`/todos/${todo!.id}`, { token: me.token, json });
    t.is(response.status, 404);
    t.deepEqual(response.body, { detail: 'Task not found.' });
  }
});

test('PATCH /todos/{id} with a wrong non-null value → 422 as pydantic reports a nullable field', async (t) => {
  const user = await createUser(t.context.app);
  const [todo] = await createTodos(user.id, 1);
  const response = await t.context.app.client.patch(`/todos/${todo!.id}`, {
    token: user.token,
    json: { title: 5, state: 'test' },
  });
  t.is(response.status, 422);
  t.deepEqual(response.body.detail, [
    { loc: ['body', 'title'], msg: 'Input should be a valid string', type: 'string_type' },
    { loc: ['body', 'state'], msg: "Input should be 'draft', 'todo', 'doing', 'done' or 'trash'", type: 'enum' },
  ]);
});

test('PATCH /todos/{id} of an unknown todo → 404 Task not found.', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.patch('/todos/10', { token: user.token, json: {} });
  t.is(response.status, 404);
  t.deepEqual(response.body, { detail: 'Task not found.' });
});

test('PATCH /todos/{id} of another user’s todo → 404, and it is unchanged', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  const [todo] = await createTodos(other.id, 1, { title: 'theirs' });
  const response = await t.context.app.client.patch(`/todos/${todo!.id}`, { token: me.token, json: { title: 'mine' } });
  t.is(response.status, 404);
  t.deepEqual(response.body, { detail: 'Task not found.' });
  t.is((await Todo.query().findById(todo!.id))?.title, 'theirs');
});

test('concurrent PATCHes leave the todo equal to one of the requests', async (t) => {
  const user = await createUser(t.context.app);
  const [todo] = await createTodos(user.id, 1);
  const bodies = Array.from({ length: 8 }, (_, i) => ({ title: `title ${i}`, description: `description ${i}` }));
  await Promise.all(
    bodies.map((json) => t.context.app.client.patch(`/todos/${todo!.id}`, { token: user.token, json })),
  );
  const final = await Todo.query().findById(todo!.id);
  t.true(bodies.some((body) => body.title === final?.title && body.description === final?.description));
});

test('DELETE /todos/{id} → 200 Task has been deleted successfully.', async (t) => {
  const user = await createUser(t.context.app);
  const [todo] = await createTodos(user.id, 1);
  const response = await t.context.app.client.delete(`/todos/${todo!.id}`, { token: user.token });
  t.is(response.status, 200);
  t.deepEqual(response.body, { message: 'Task has been deleted successfully.' });
  t.is(await Todo.query().findById(todo!.id), undefined);
});

test('DELETE /todos/{id} of an unknown or another user’s todo → 404 Task not found.', async (t) => {
  const [me, other] = [await createUser(t.context.app), await createUser(t.context.app)];
  const [theirs] = await createTodos(other.id, 1);
  for (const id of [theirs!.id, 999_999, 4_294_967_296]) {
    const response = await t.context.app.client.delete(`/todos/${id}`, { token: me.token });
    t.is(response.status, 404);
    t.deepEqual(response.body, { detail: 'Task not found.' });
  }
  t.truthy(await Todo.query().findById(theirs!.id));
});

test('todo timestamps are UTC whatever the process time zone (timestamptz)', async (t) => {
  const own = await startTestApp({ database: t.context.app.database });
  t.teardown(() => own.close());
  const user = await createUser(own);
  const before = Date.now();
  const response = await own.client.post('/todos/', {
    token: user.token,
    json: { title: 't', description: 'd', state: 'todo' },
  });
  const created = Date.parse(response.body.created_at);
  t.true(Math.abs(created - before) < 60_000, `created_at ${response.body.created_at} is near now`);
});
