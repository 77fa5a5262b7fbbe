import test from 'ava';
import { createLogger } from '../src/logger.js';
import { startTestApp } from './helpers/app.js';
import { createTestDatabase } from './helpers/database.js';
import { createUser } from './helpers/factories.js';

// One database for the file; each test starts the app with the settings it needs.
const database = createTestDatabase();
test.after.always(async () => (await database).drop());

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

// Serial, so no other test of this file spends CPU in this process while it measures.
test.serial('an unknown email costs the same bcrypt time as a wrong password (medians within 25 %)', async (t) => {
  // Limits off: this compares bcrypt's cost alone.
  const app = await startTestApp({ database: await database, env: { BCRYPT_ROUNDS: '10', LOGIN_RATE_LIMIT: '0' } });
  t.teardown(() => app.close());
  const user = await createUser(app);
  // CPU time of this process (the app and bcrypt's libuv threads run in it), not wall time:
  // what a request costs, unchanged by other load on the machine stretching the wait.
  const time = async (username: string) => {
    const started = process.cpuUsage();
    const response = await app.client.post('/auth/token', { form: { username, password: 'wrong-password' } });
    t.is(response.status, 401);
    const { user, system } = process.cpuUsage(started);
    return (user + system) / 1000;
  };
  await time(user.email); // warm-up: the dummy hash is made lazily once
  await time('warmup@example.com');
  const known: number[] = [];
  const unknown: number[] = [];
  // Interleaved, so machine noise hits both series alike.
  for (let i = 0; i < 9; i++) {
    known.push(await time(user.email));
    unknown.push(await time(`nobody${i}@example.com`));
  }
  const [a, b] = [median(known), median(unknown)];
  t.log(`median CPU: wrong password ${a.toFixed(1)} ms, unknown email ${b.toFixed(1)} ms`);
  t.true(Math.abs(a - b) / Math.max(a, b) <= 0.25, `${a} vs ${b}`);
});

test('CORS_ORIGINS opens CORS to exactly the listed origins', async (t) => {
  const app = await startTestApp({ database: await database, env: { CORS_ORIGINS: 'https://app.example' } });
  t.teardown(() => app.close());
  const allowed = await app.client.request('OPTIONS', '/todos/', {
    headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
  });
  t.is(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
  const other = await app.client.get('/', { headers: { origin: 'https://evil.example' } });
  t.is(other.headers.get('access-control-allow-origin'), null);
});

test('an unexpected error → 500 {"detail":"Internal Server Error"}, logged with its stack, no internals sent', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', format: 'json' }, { write: (line: string) => lines.push(line) });
  const app = await startTestApp({ database: await database, logger });
  t.teardown(() => app.close());
  // A real fault, not a mock: the todos table disappears under the running app.
  const user = await createUser(app);
  const db = (await database).db;
  await db.raw('alter table todos rename to todos_gone');
  t.teardown(() => db.raw('alter table todos_gone rename to todos'));
  const response = await app.client.get('/todos/', { token: user.token });
  t.is(response.status, 500);
  t.deepEqual(response.body, { detail: 'Internal Server Error' });
  t.false(response.text.includes('todos'), 'no SQL or table name leaks');
  const logged = lines
    .map((line) => JSON.parse(line) as { msg: string; err?: { stack?: string } })
    .find((l) => l.msg === 'request failed');
  t.regex(logged?.err?.stack ?? '', /relation "todos" does not exist/);
});

test('plain HTTP → no HSTS and no upgrade-insecure-requests, so /docs loads its assets over http', async (t) => {
  const app = await startTestApp({ database: await database });
  t.teardown(() => app.close());
  // Without TRUST_PROXY the header is the client's claim, never believed.
  const response = await app.client.get('/docs', { headers: { 'x-forwarded-proto': 'https' } });
  t.is(response.status, 200);
  t.is(response.headers.get('strict-transport-security'), null);
  const csp = response.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'self'/);
  t.notRegex(csp, /upgrade-insecure-requests/);
});

test('X-Forwarded-Proto: https from the proxy TRUST_PROXY=1 trusts → HSTS and upgrade-insecure-requests', async (t) => {
  const app = await startTestApp({ database: await database, env: { TRUST_PROXY: '1' } });
  t.teardown(() => app.close());
  const secure = await app.client.get('/docs', { headers: { 'x-forwarded-proto': 'https' } });
  t.regex(secure.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  t.regex(secure.headers.get('content-security-policy') ?? '', /upgrade-insecure-requests/);
  const plain = await app.client.get('/docs', { headers: { 'x-forwarded-proto': 'http' } });
  t.is(plain.headers.get('strict-transport-security'), null);
  t.notRegex(plain.headers.get('content-security-policy') ?? '', /upgrade-insecure-requests/);
});
