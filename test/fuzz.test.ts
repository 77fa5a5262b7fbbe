import anyTest, { type TestFn } from 'ava';
import fc from 'fast-check';
import { Todo } from '../src/models/todo.js';
import { User } from '../src/models/user.js';
import { useTestApp, type TestApp } from './helpers/app.js';
import { createTodos, createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

const ENDPOINTS = [
  ['GET', '/'],
  ['POST', '/users/'],
  ['GET', '/users/'],
  ['GET', '/users/{id}'],
  ['PUT', '/users/{id}'],
  ['DELETE', '/users/{id}'],
  ['POST', '/auth/token'],
  ['POST', '/auth/refresh_token'],
  ['POST', '/todos/'],
  ['GET', '/todos/'],
  ['PATCH', '/todos/{id}'],
  ['DELETE', '/todos/{id}'],
] as const;

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '🙂'.repeat(30),
    "'; drop table users; --",
    '%',
    '_',
    '\\',
    '%_\\',
    'x'.repeat(5000),
  ),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 63, Number.MAX_SAFE_INTEGER, true, false, null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('username', 'email', 'password', 'title', 'description', 'state', '__proto__', 'constructor'),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;
const pathId = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom(
    '0',
    '-1',
    '1.5',
    '1e3',
    '2147483648',
    '9223372036854775808',
    '99999999999999999999',
    'abc',
    '%00',
    '%F0%9F%99%82',
    '..%2F..',
  ),
);
const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom('offset', 'limit', 'title', 'description', 'state', 'x'),
      fc.oneof(hostileString, fc.integer().map(String)),
    ),
    {
      maxLength: 4,
    },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());
const deepJson = fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const body = fc.oneof(
  json.map((value) => ({ raw: JSON.stringify(value) ?? 'null', type: 'application/json' })),
  hostileString.map((raw) => ({ raw, type: 'application/json' })),
  deepJson.map((raw) => ({ raw, type: 'application/json' })),
  fc.dictionary(fc.constantFrom('username', 'password', 'grant_type', 'x'), hostileString).map((form) => ({
    raw: new URLSearchParams(form).toString(),
    type: 'application/x-www-form-urlencoded',
  })),
  fc
    .tuple(
      hostileString,
      fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/json; charset=latin1', ''),
    )
    .map(([raw, type]) => ({ raw, type })),
);

test('random and adversarial requests to every endpoint: never a 5xx, never another user’s data changed', async (t) => {
  const { client } = t.context.app;
  const attacker = await createUser(t.context.app);
  const victim = await createUser(t.context.app);
  await createTodos(victim.id, 3);
  const snapshot = async () => ({
    user: await User.query().findById(victim.id),
    todos: await Todo.query().where('user_id', victim.id).orderBy('id'),
  });
  const before = await snapshot();

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ENDPOINTS),
      pathId,
      queryString,
      body,
      fc.constantFrom('none', 'attacker', 'victim-id', 'garbage'),
      async ([method, template], id, query, { raw, type }, auth) => {
        const path =
          template.replace('{id}', auth === 'victim-id' ? String(victim.id) : id) + (query ? `?${query}` : '');
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (auth === 'attacker' || auth === 'victim-id') headers.authorization = `Bearer ${attacker.token}`;
        if (auth === 'garbage') headers.authorization = `Bearer ${raw.slice(0, 200).replace(/[^\x21-\x7e]/g, '')}`;
        const response = await client.request(method, path, { raw: method === 'GET' ? undefined : raw, headers });
        if (response.status >= 500) t.log(method, path, type, raw.slice(0, 200), response.status, response.text);
        return response.status < 500;
      },
    ),
    { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), endOnFailure: true },
  );

  t.deepEqual(await snapshot(), before, 'the victim’s account and todos are untouched');
  t.is((await client.get('/')).status, 200, 'the server still answers');
});
