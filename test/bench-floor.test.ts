import type { AddressInfo } from 'node:net';
import anyTest, { type TestFn } from 'ava';
import { createFloor, type Floor } from '../bench/floor.js';
import { Client, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import { createUser } from './helpers/factories.js';

// The bench's floor is only a floor if it gives the same answers as the API:
// these compare the bodies byte for byte over the same rows.
const test = anyTest as TestFn<{ app: TestApp; floor: Client }>;

let app: TestApp | undefined;
let floor: Floor | undefined;
test.before(async () => {
  app = await startTestApp();
  floor = createFloor({
    databaseUrl: app.database.url,
    secretKey: TEST_SECRET,
    poolMax: 2,
    applicationName: 'floor-test',
  });
  await new Promise<void>((resolve) => floor!.server.listen(0, '127.0.0.1', resolve));
});
test.beforeEach((t) => {
  t.context.app = app!;
  t.context.floor = new Client(`http://127.0.0.1:${(floor!.server.address() as AddressInfo).port}`);
});
test.after.always(async () => {
  await floor?.close();
  await app?.close();
});

/** Rows with every shape a timestamptz takes in text: whole seconds, 1–6 fraction digits, trailing zeros dropped. */
async function seedTodos(app: TestApp, userId: number): Promise<void> {
  const stamps = [
    '2026-12-01 04:51:21+00',
    '2026-12-01 04:51:21.1+00',
    '2026-12-01 04:51:21.12+00',
    '2026-12-01 04:51:21.123+00',
    '2026-12-01 04:51:21.1234+00',
    '2026-12-01 04:51:21.999999+00',
    '1999-01-31 23:59:59.000001+00',
  ];
  await app.database.db('todos').insert(
    stamps.map((stamp, i) => ({
      title: `"quoted" title ${i} — ção ✓ \\ \u2028`,
      description: i % 2 ? '' : `line\nbreak ${i}`,
      state: ['draft', 'todo', 'doing', 'done', 'trash'][i % 5],
      user_id: userId,
      created_at: stamp,
      updated_at: stamps[stamps.length - 1 - i],
    })),
  );
}

test('floor GET /todos/ gives the same bytes as the API for the same rows', async (t) => {
  const user = await createUser(t.context.app);
  await seedTodos(t.context.app, user.id);
  for (const path of ['/todos/', '/todos/?limit=100', '/todos/?limit=3&offset=2', '/todos/?offset=50']) {
    const api = await t.context.app.client.get(path, { token: user.token });
    const floorAnswer = await t.context.floor.get(path, { token: user.token });
    t.is(api.status, 200, path);
    t.is(floorAnswer.status, 200, path);
    t.is(floorAnswer.text, api.text, path);
    t.is(floorAnswer.headers.get('content-type'), api.headers.get('content-type'));
  }
});

test('floor 401s give the same bodies as the API: no token, a forged one, a deleted user', async (t) => {
  const user = await createUser(t.context.app);
  const gone = await createUser(t.context.app);
  await t.context.app.database.db('users').where('id', gone.id).delete();
  const forged = `${user.token.slice(0, user.token.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;
  for (const token of [undefined, forged, gone.token]) {
    const api = await t.context.app.client.get('/todos/', token ? { token } : {});
    const floorAnswer = await t.context.floor.get('/todos/', token ? { token } : {});
    t.is(api.status, 401);
    t.is(floorAnswer.status, 401);
    t.is(floorAnswer.text, api.text);
    t.is(floorAnswer.headers.get('www-authenticate'), api.headers.get('www-authenticate'));
  }
});

/** The todo with `id` as the other server lists it, serialized alone. */
async function listed(client: Client, token: string, id: number): Promise<string> {
  const { body } = await client.get<{ todos: { id: number }[] }>('/todos/?limit=1000', { token });
  const todo = body.todos.find((candidate) => candidate.id === id);
  return todo ? JSON.stringify(todo) : `todo ${id} is not listed`;
}

test('floor POST /todos/ answers 201 with the bytes the API gives that row, and the other way round', async (t) => {
  const user = await createUser(t.context.app);
  const todo = { title: 'bench "todo" ✓', description: 'made by\nthe floor', state: 'todo' };
  const fromFloor = await t.context.floor.post('/todos/', { token: user.token, json: todo });
  const fromApi = await t.context.app.client.post('/todos/', { token: user.token, json: todo });
  t.is(fromFloor.status, 201);
  t.is(fromApi.status, 201);
  t.is(fromFloor.text, await listed(t.context.app.client, user.token, fromFloor.body.id));
  t.is(fromApi.text, await listed(t.context.floor, user.token, fromApi.body.id));
});

test('floor PATCH /todos/{id} answers with the bytes the API gives that row, and the other way round', async (t) => {
  const user = await createUser(t.context.app);
  const other = await createUser(t.context.app);
  await seedTodos(t.context.app, user.id);
  const [first, second] = (await t.context.app.client.get('/todos/?limit=2', { token: user.token })).body.todos;
  const fromFloor = await t.context.floor.patch(`/todos/${first.id}`, { token: user.token, json: { state: 'done' } });
  const fromApi = await t.context.app.client.patch(`/todos/${second.id}`, {
    token: user.token,
    json: { title: 'renamed', state: 'done' },
  });
  t.is(fromFloor.status, 200);
  t.is(fromApi.status, 200);
  t.like(fromFloor.body, { id: first.id, title: first.title, state: 'done' });
  t.is(fromFloor.text, await listed(t.context.app.client, user.token, first.id));
  t.is(fromApi.text, await listed(t.context.floor, user.token, second.id));
  // Nothing to change: both answer the todo as it is, updated_at untouched.
  const unchangedApi = await t.context.app.client.patch(`/todos/${first.id}`, { token: user.token, json: {} });
  const unchangedFloor = await t.context.floor.patch(`/todos/${first.id}`, { token: user.token, json: {} });
  t.is(unchangedFloor.status, 200);
  t.is(unchangedFloor.text, unchangedApi.text);
  t.is(unchangedFloor.text, fromFloor.text);
  // Someone else's todo, or one out of range: the same 404 as the API.
  for (const path of [`/todos/${first.id}`, '/todos/99999999999']) {
    const api = await t.context.app.client.patch(path, { token: other.token, json: { state: 'todo' } });
    const floorAnswer = await t.context.floor.patch(path, { token: other.token, json: { state: 'todo' } });
    t.is(api.status, 404);
    t.is(floorAnswer.status, 404);
    t.is(floorAnswer.text, api.text);
  }
});
