import anyTest, { type TestFn } from 'ava';
import jwt from 'jsonwebtoken';
import net from 'node:net';
import { createLogger } from '../src/logger.js';
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

test('POST /auth/token as multipart/form-data (curl -F) → 200, as OAuth2PasswordRequestForm accepts', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/auth/token', {
    multipart: { username: user.email, password: user.password },
  });
  t.is(response.status, 200);
  t.is(response.body.token_type, 'bearer');
  const wrong = await t.context.app.client.post('/auth/token', {
    multipart: { username: user.email, password: 'wrong' },
  });
  t.is(wrong.status, 401);
});

test('POST /auth/token with a JSON body → 422 Field required at body, as FastAPI answers', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.post('/auth/token', {
    json: { username: user.email, password: user.password },
  });
  t.is(response.status, 422);
  t.like(response.body.detail[0], { loc: ['body'], type: 'missing' });
});

test('a multipart body over BODY_LIMIT_KB → 413, with or without Content-Length', async (t) => {
  const big = { username: 'a@example.com', password: 'x'.repeat(70 * 1024) };
  const sized = await t.context.app.client.post('/auth/token', { multipart: big });
  t.is(sized.status, 413);
  t.deepEqual(sized.body, { detail: 'Request body too large' });

  const boundary = 'fz-boundary';
  const part = `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\n${'x'.repeat(1024)}\r\n`;
  let sent = 0;
  const chunked = new ReadableStream<Uint8Array>({
    pull(controller) {
      // 70 KiB in parts of 1 KiB, then the closing boundary: no Content-Length anywhere.
      if (sent++ < 70) controller.enqueue(new TextEncoder().encode(part));
      else {
        controller.enqueue(new TextEncoder().encode(`--${boundary}--\r\n`));
        controller.close();
      }
    },
  });
  const streamed = await t.context.app.client.post('/auth/token', {
    raw: chunked,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  t.is(streamed.status, 413);
});

test('a multipart body that cannot be parsed → 400, never a 500', async (t) => {
  const noBoundary = await t.context.app.client.post('/auth/token', {
    raw: 'username=a',
    headers: { 'content-type': 'multipart/form-data' },
  });
  t.is(noBoundary.status, 400);
  t.deepEqual(noBoundary.body, { detail: 'There was an error parsing the body' });
  const truncated = await t.context.app.client.post('/auth/token', {
    raw: '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\na@exa',
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
  });
  t.is(truncated.status, 400);
});

test('a client that hangs up in the middle of a multipart body does not leave its request pending', async (t) => {
  const lines: { path?: string; status?: number }[] = [];
  const logger = createLogger(
    { level: 'info', format: 'json' },
    { write: (line: string) => lines.push(JSON.parse(line)) },
  );
  const own = await startTestApp({ database: t.context.app.database, logger });
  t.teardown(() => own.close());
  const { hostname, port } = new URL(own.client.baseUrl);
  const socket = net.connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
      'Content-Length: 1000\r\n\r\n--b\r\nContent-Disposition: form-data; name="username"\r\n\r\na@',
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.destroy();
  // The access line is written when the request's middleware chain has finished.
  for (let i = 0; i < 50 && !lines.some((line) => line.path === '/auth/token' && line.status); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.like(
    lines.find((line) => line.path === '/auth/token' && line.status),
    { status: 400 },
    JSON.stringify(lines),
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
