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

test('an unknown email costs the same bcrypt time as a wrong password (medians within 25 %)', async (t) => {
  // Limits off: this compares bcrypt's cost alone.
  const app = await startTestApp({ database: await database, env: { BCRYPT_ROUNDS: '10', LOGIN_RATE_LIMIT: '0' } });
  t.teardown(() => app.close());
  const user = await createUser(app);
  const time = async (username: string) => {
    const started = process.hrtime.bigint();
    const response = await app.client.post('/auth/token', { form: { username, password: 'wrong-password' } });
    t.is(response.status, 401);
    return Number(process.hrtime.bigint() - started) / 1e6;
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
  t.log(`median wrong password ${a.toFixed(1)} ms, unknown email ${b.toFixed(1)} ms`);
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
