import anyTest, { type TestFn } from 'ava';
import jwt from 'jsonwebtoken';
import { createSecurity } from '../src/security.js';
import { verifiedTokens } from '../src/verified-tokens.js';
import { TEST_SECRET, useTestApp, type TestApp } from './helpers/app.js';
import { createUser } from './helpers/factories.js';

const test = anyTest as TestFn<{ app: TestApp }>;
useTestApp(test);

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('createAccessToken: HS256, sub is the id, exp 30 minutes ahead (test_security)', (t) => {
  const security = createSecurity({
    secretKey: TEST_SECRET,
    expireMinutes: 30,
    bcryptRounds: 4,
    clock: () => 1_700_000_000_000,
  });
  const token = security.createAccessToken(42);
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string };
  t.is(header.alg, 'HS256');
  const payload = jwt.decode(token) as jwt.JwtPayload;
  t.is(payload.sub, '42');
  t.is(payload.exp, 1_700_000_000 + 30 * 60);
  t.is(security.readUserId(token), 42);
  const later = createSecurity({ secretKey: TEST_SECRET, expireMinutes: 30, bcryptRounds: 4, clock: Date.now });
  t.is(later.readUserId(token), undefined, 'read today, a token from 2023 has expired');
});

test('a token read before is still refused from the second it expires (the verified-token cache)', (t) => {
  let nowMs = 1_700_000_000_000;
  const security = createSecurity({ secretKey: TEST_SECRET, expireMinutes: 30, bcryptRounds: 4, clock: () => nowMs });
  const token = security.createAccessToken(7);
  t.is(security.readUserId(token), 7);
  nowMs += 30 * 60 * 1000 - 1000;
  t.is(security.readUserId(token), 7, 'one second before exp');
  nowMs += 1000;
  t.is(security.readUserId(token), undefined, 'at exp');
  nowMs -= 1000;
  t.is(security.readUserId(token), 7, 'an expired entry is dropped, and the token checked again from scratch');
  t.is(
    security.readUserId(`${token}x`),
    undefined,
    'a cached token with one more character is a different, forged one',
  );
});

test('verifiedTokens: only what was remembered, until its expiry, at most max entries (oldest out first)', (t) => {
  const tokens = verifiedTokens(2);
  t.is(tokens.get('a', 0), undefined);
  tokens.remember('a', 1, 100);
  tokens.remember('b', 2, 100);
  t.is(tokens.get('a', 99), 1);
  t.is(tokens.get('a', 100), undefined, 'expired at exp');
  tokens.remember('a', 1, 100);
  tokens.remember('c', 3, 100);
  t.is(tokens.get('b', 0), undefined, 'the oldest went when c came');
  t.is(tokens.get('a', 0), 1);
  t.is(tokens.get('c', 0), 3);
});

test('hashPassword/verifyPassword round-trip; an unknown user never verifies', async (t) => {
  const security = createSecurity({ secretKey: TEST_SECRET, expireMinutes: 30, bcryptRounds: 4, clock: Date.now });
  const hash = await security.hashPassword('secret');
  t.true(await security.verifyPassword('secret', hash));
  t.false(await security.verifyPassword('wrong', hash));
  t.false(await security.verifyPassword('secret', undefined));
});

const forged: Record<string, (userId: number) => string> = {
  'alg none': (id) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(id), exp: now() + 600 })}.`,
  'wrong secret': (id) => jwt.sign({ sub: String(id), exp: now() + 600 }, 'another-secret-that-is-long-enough-123456'),
  HS512: (id) => jwt.sign({ sub: String(id), exp: now() + 600 }, TEST_SECRET, { algorithm: 'HS512' }),
  'missing exp': (id) => jwt.sign({ sub: String(id) }, TEST_SECRET, { algorithm: 'HS256' }),
  'missing sub': () => jwt.sign({ exp: now() + 600 }, TEST_SECRET),
  'non-numeric sub': () => jwt.sign({ sub: 'test@test.com', exp: now() + 600 }, TEST_SECRET),
  'tampered payload': (id) => {
    const [header, , signature] = jwt.sign({ sub: String(id), exp: now() + 600 }, TEST_SECRET).split('.');
    return `${header}.${b64({ sub: String(id + 1), exp: now() + 600 })}.${signature}`;
  },
  expired: (id) => jwt.sign({ sub: String(id), exp: now() - 10 }, TEST_SECRET),
  garbage: () => 'not-a-token',
};

for (const [name, make] of Object.entries(forged)) {
  test(`a token with ${name} → 401 Could not validate credentials with WWW-Authenticate: Bearer`, async (t) => {
    const user = await createUser(t.context.app);
    await createUser(t.context.app);
    const response = await t.context.app.client.get('/todos/', { token: make(user.id) });
    t.is(response.status, 401);
    t.deepEqual(response.body, { detail: 'Could not validate credentials' });
    t.is(response.headers.get('www-authenticate'), 'Bearer');
  });
}

for (const header of ['', 'Basic dXNlcjpwYXNz', 'Token abc']) {
  test(`Authorization "${header}" → 401 Not authenticated`, async (t) => {
    const response = await t.context.app.client.get('/todos/', header ? { headers: { authorization: header } } : {});
    t.is(response.status, 401);
    t.deepEqual(response.body, { detail: 'Not authenticated' });
    t.is(response.headers.get('www-authenticate'), 'Bearer');
  });
}

test('the Bearer scheme is case-insensitive, as in FastAPI', async (t) => {
  const user = await createUser(t.context.app);
  const response = await t.context.app.client.get('/todos/', { headers: { authorization: `bearer ${user.token}` } });
  t.is(response.status, 200);
});
