import anyTest, { type TestFn } from 'ava';
import jwt from 'jsonwebtoken';
import { User } from '../src/models/user.js';
import { startTestApp, TEST_SECRET, useTestApp, type TestApp } from './helpers/app.js';
import { createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

/** Tests that move the clock get an app (and clock) of their own over the file's database. */
async function withOwnClock(t: { context: { app: TestApp }; teardown: (fn: () => Promise<void>) => void }) {
  const own = await startTestApp({ database: t.context.app.database });
  t.teardown(() => own.close());
  return own;
}

test('POST /auth/token → 200 bearer token whose sub is the user id', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/auth/token', {
    form: { username: user.email, password: user.password },
  });
  t.is(response.status, 200);
  t.is(response.body.token_type, 'bearer');
  t.deepEqual(Object.keys(response.body).sort(), ['access_token', 'token_type']);
  const payload = jwt.verify(response.body.access_token, TEST_SECRET, {
    algorithms: ['HS256'],
    ignoreExpiration: true,
  }) as jwt.JwtPayload;
  t.is(payload.sub, String(user.id));
  t.is((payload.exp ?? 0) - (payload.iat ?? 0), 30 * 60);
});

test('POST /auth/token with a wrong password → 401 Incorrect email or password', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/auth/token', {
    form: { username: user.email, password: 'wrong' },
  });
  t.is(response.status, 401);
  t.deepEqual(response.body, { detail: 'Incorrect email or password' });
});

test('POST /auth/token with an unknown email → the same 401 body', async (t) => {
  const response = await t.context.app.client.post('/auth/token', {
    form: { username: 'nobody@example.com', password: 'whatever' },
  });
  t.is(response.status, 401);
  t.deepEqual(response.body, { detail: 'Incorrect email or password' });
});

test('POST /auth/token with missing fields → 422 at body.username and body.password', async (t) => {
  const response = await t.context.app.client.post('/auth/token', { form: {} });
  t.is(response.status, 422);
  t.deepEqual(
    response.body.detail.map((d: { loc: string[] }) => d.loc),
    [
      ['body', 'username'],
      ['body', 'password'],
    ],
  );
});

test('a token expires after ACCESS_TOKEN_EXPIRE_MINUTES (clock moved as with freezegun)', async (t) => {
  const own = await withOwnClock(t);
  const { client, clock } = own;
  const user = await createUser(own);
  const login = await client.post('/auth/token', { form: { username: user.email, password: user.password } });
  const token = login.body.access_token as string;
  clock.advance(30 * 60 * 1000 - 1000);
  t.is((await client.post('/auth/refresh_token', { token })).status, 200);
  clock.advance(2000);
  const expired = await client.put(`/users/${user.id}`, {
    token,
    json: { username: 'x', email: 'x@example.com', password: 'x' },
  });
  t.is(expired.status, 401);
  t.deepEqual(expired.body, { detail: 'Could not validate credentials' });
});

test('POST /auth/refresh_token → 200 a new token of the same shape that works', async (t) => {
  const own = await withOwnClock(t);
  const { client, clock } = own;
  const user = await createUser(own);
  clock.advance(60_000);
  const response = await client.post('/auth/refresh_token', { token: user.token });
  t.is(response.status, 200);
  t.is(response.body.token_type, 'bearer');
  t.not(response.body.access_token, user.token);
  t.is((await client.post('/auth/refresh_token', { token: response.body.access_token })).status, 200);
});

test('POST /auth/refresh_token with an expired token → 401 Could not validate credentials', async (t) => {
  const own = await withOwnClock(t);
  const { client, clock } = own;
  const user = await createUser(own);
  clock.advance(31 * 60 * 1000);
  const response = await client.post('/auth/refresh_token', { token: user.token });
  t.is(response.status, 401);
  t.deepEqual(response.body, { detail: 'Could not validate credentials' });
  t.is(response.headers.get('www-authenticate'), 'Bearer');
});

test('a token of a deleted user → 401 Could not validate credentials', async (t) => {
  const user = await createUser(t.context.app);
  await User.query().deleteById(user.id);
  const response = await t.context.app.client.post('/auth/refresh_token', { token: user.token });
  t.is(response.status, 401);
  t.deepEqual(response.body, { detail: 'Could not validate credentials' });
});
