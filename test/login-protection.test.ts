import test from 'ava';
import { createLogger } from '../src/logger.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { createTestDatabase } from './helpers/database.js';
import { createUser, type UserFixture } from './helpers/factories.js';

// One database for the file; each test starts the app it needs and uses its own accounts,
// and its own forwarded addresses where TRUST_PROXY is on, so no test sees another's counters.
const database = createTestDatabase();
test.after.always(async () => (await database).drop());

const start = async (env: NodeJS.ProcessEnv = {}) => startTestApp({ database: await database, env });

const login = (app: TestApp, username: string, password: string, headers: Record<string, string> = {}) =>
  app.client.post('/auth/token', { form: { username, password }, headers });

const wrong = (app: TestApp, user: UserFixture, headers?: Record<string, string>) =>
  login(app, user.email, 'wrong-password', headers);

const statuses = async (count: number, attempt: () => Promise<{ status: number }>) => {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await attempt()).status);
  return seen;
};

test('with the default settings, 50 successful logins in a row for one account all answer 200', async (t) => {
  const app = await start();
  t.teardown(() => app.close());
  const user = await createUser(app);
  t.deepEqual(await statuses(50, () => login(app, user.email, user.password)), Array<number>(50).fill(200));
});

test('the 11th consecutive wrong password → 429 with Retry-After; the right one is refused until the block ends', async (t) => {
  const app = await start({ LOGIN_BLOCK_SECONDS: '2' });
  t.teardown(() => app.close());
  const user = await createUser(app);
  t.deepEqual(await statuses(10, () => wrong(app, user)), Array<number>(10).fill(401));
  const blocked = await wrong(app, user);
  t.is(blocked.status, 429);
  t.deepEqual(blocked.body, { detail: 'Too many failed login attempts, try again later' });
  t.is(blocked.headers.get('retry-after'), '2');
  const right = await login(app, user.email, user.password);
  t.is(right.status, 429, 'the right password is refused while blocked');
  t.regex(right.headers.get('retry-after') ?? '', /^[12]$/);
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  t.is((await login(app, user.email, user.password)).status, 200, 'after the block the owner signs in');
  t.is((await wrong(app, user)).status, 401, 'and the success started the count over');
});

test('a success before the limit resets the consecutive count', async (t) => {
  const app = await start();
  t.teardown(() => app.close());
  const user = await createUser(app);
  t.deepEqual(await statuses(9, () => wrong(app, user)), Array<number>(9).fill(401));
  t.is((await login(app, user.email, user.password)).status, 200);
  t.deepEqual(await statuses(10, () => wrong(app, user)), Array<number>(10).fill(401));
  t.is((await wrong(app, user)).status, 429);
});

test('POST /AUTH/TOKEN and /Auth/Token are counted like /auth/token', async (t) => {
  const app = await start();
  t.teardown(() => app.close());
  const user = await createUser(app);
  const at = (path: string) => app.client.post(path, { form: { username: user.email, password: 'nope' } });
  t.deepEqual(await statuses(5, () => at('/AUTH/TOKEN')), Array<number>(5).fill(401));
  t.deepEqual(await statuses(5, () => at('/Auth/Token/')), Array<number>(5).fill(401));
  t.is((await at('/auth/token')).status, 429);
  t.is((await at('/AUTH/TOKEN')).status, 429);
});

test('parallel guesses cannot overshoot the limit: of 30 at once, at most 10 reach the password check', async (t) => {
  const app = await start();
  t.teardown(() => app.close());
  const user = await createUser(app);
  const results = await Promise.all(Array.from({ length: 30 }, () => wrong(app, user)));
  const checked = results.filter((response) => response.status === 401).length;
  t.true(checked <= 10, `${checked} wrong passwords were checked`);
  t.is(results.filter((response) => response.status === 429).length, 30 - checked);
});

test('without TRUST_PROXY a spoofed X-Forwarded-For changes nothing: every guess counts for the real address', async (t) => {
  const app = await start();
  t.teardown(() => app.close());
  const user = await createUser(app);
  let n = 0;
  const spoofed = () => wrong(app, user, { 'x-forwarded-for': `198.51.100.${++n}` });
  t.deepEqual(await statuses(10, spoofed), Array<number>(10).fill(401));
  t.is((await spoofed()).status, 429);
});

test('with TRUST_PROXY=1 two forwarded clients count apart', async (t) => {
  const app = await start({ TRUST_PROXY: '1' });
  t.teardown(() => app.close());
  const user = await createUser(app);
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  t.deepEqual(await statuses(10, () => wrong(app, user, from('192.0.2.10'))), Array<number>(10).fill(401));
  t.is((await wrong(app, user, from('192.0.2.10'))).status, 429);
  t.is((await wrong(app, user, from('192.0.2.11'))).status, 401, 'the other client is not blocked');
  t.is((await login(app, user.email, user.password, from('192.0.2.11'))).status, 200);
  // A client cannot pose as another by prepending to the header: only the hop the proxy added counts.
  t.is((await wrong(app, user, { 'x-forwarded-for': '192.0.2.11, 192.0.2.10' })).status, 429);
});

test("a stranger's failures from many addresses do not keep the owner out: known addresses pass, others wait at most LOGIN_ACCOUNT_BLOCK_SECONDS", async (t) => {
  const app = await start({ TRUST_PROXY: '1', LOGIN_ACCOUNT_FAILURES: '5', LOGIN_ACCOUNT_BLOCK_SECONDS: '30' });
  t.teardown(() => app.close());
  const owner = await createUser(app);
  const home = { 'x-forwarded-for': '203.0.113.200' };
  t.is((await login(app, owner.email, owner.password, home)).status, 200, 'the owner has signed in from home');

  const attempts = await statuses(
    8,
    (() => {
      let n = 0;
      return () => wrong(app, owner, { 'x-forwarded-for': `203.0.113.${++n}` });
    })(),
  );
  t.deepEqual(attempts.slice(0, 5), Array<number>(5).fill(401));
  t.true(
    attempts.slice(5).every((status) => status === 429),
    'the account is locked for new addresses',
  );

  t.is((await login(app, owner.email, owner.password, home)).status, 200, 'from a known address the owner gets in');
  const elsewhere = await login(app, owner.email, owner.password, { 'x-forwarded-for': '203.0.113.250' });
  t.is(elsewhere.status, 429);
  const wait = Number(elsewhere.headers.get('retry-after'));
  t.true(wait >= 1 && wait <= 30, `Retry-After ${wait} is within the documented bound`);
});

// Serial: it counts the file's rate_limits rows, which concurrent tests would add to.
test.serial(
  '100 failures a day from one address block it for every account, and a flood of new accounts adds no rows once blocked',
  async (t) => {
    const app = await start({ TRUST_PROXY: '1', LOGIN_ADDRESS_DAILY_FAILURES: '20' });
    t.teardown(() => app.close());
    const user = await createUser(app);
    const attacker = { 'x-forwarded-for': '2001:db8:1:2::1' };
    const guesses = await statuses(
      25,
      (() => {
        let n = 0;
        return () => login(app, `someone${++n}@example.com`, 'x', attacker);
      })(),
    );
    t.deepEqual(guesses.slice(0, 20), Array<number>(20).fill(401));
    t.true(guesses.slice(20).every((status) => status === 429));
    const rows = async () => Number((await (await database).db('rate_limits').count({ n: '*' }))[0]?.n ?? 0);
    const before = await rows();
    // Another address in the same IPv6 /64 is the same client, already blocked.
    const neighbour = { 'x-forwarded-for': '2001:db8:1:2:ffff::9' };
    t.deepEqual(
      await statuses(
        30,
        (() => {
          let n = 0;
          return () => login(app, `flood${++n}@example.com`, 'x', neighbour);
        })(),
      ),
      Array<number>(30).fill(429),
    );
    t.is(await rows(), before, 'refused attempts create no counters');
    t.is((await login(app, user.email, user.password, attacker)).status, 429, 'the right password too');
    t.is((await login(app, user.email, user.password, { 'x-forwarded-for': '2001:db8:1:3::1' })).status, 200);
  },
);

test('expired counters are swept; a blocked pair survives the sweep', async (t) => {
  const app = await start({ TRUST_PROXY: '1', LOGIN_RATE_LIMIT: '2', LOGIN_BLOCK_SECONDS: '600' });
  t.teardown(() => app.close());
  const user = await createUser(app);
  const from = { 'x-forwarded-for': '192.0.2.77' };
  await statuses(3, () => wrong(app, user, from));
  const db = (await database).db;
  await db('rate_limits').insert({ key: 'login-pair:stale-test-row', points: 1, expire: Date.now() - 1_000 });
  await app.app.loginProtection.sweep();
  t.is((await db('rate_limits').where({ key: 'login-pair:stale-test-row' })).length, 0);
  t.is((await login(app, user.email, user.password, from)).status, 429);
});

test('LOGIN_RATE_LIMIT=0 turns the limits off; failed and refused logins are logged with address, request id and account, never the password', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', format: 'json' }, { write: (line: string) => lines.push(line) });
  const off = await startTestApp({ database: await database, env: { LOGIN_RATE_LIMIT: '0' }, logger });
  t.teardown(() => off.close());
  const user = await createUser(off);
  t.deepEqual(await statuses(15, () => wrong(off, user)), Array<number>(15).fill(401));
  const response = await wrong(off, user, { 'x-request-id': 'trace-me-1' });
  t.is(response.status, 401);
  const entry = lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((l) => l.requestId === 'trace-me-1');
  t.like(entry, { level: 40, msg: 'login failed', client: '127.0.0.1', account: user.email });
  t.false(lines.join('\n').includes('wrong-password'));

  const on = await startTestApp({ database: await database, env: { LOGIN_RATE_LIMIT: '1' }, logger });
  t.teardown(() => on.close());
  await wrong(on, user);
  await wrong(on, user, { 'x-request-id': 'trace-me-2' });
  const refused = lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((l) => l.requestId === 'trace-me-2');
  t.like(refused, { level: 40, msg: 'login refused: too many failed attempts', account: user.email });
});

test('sign-up flooding: SIGNUP_RATE_LIMIT sign-ups per address per hour, then 429 with Retry-After', async (t) => {
  const app = await start({ TRUST_PROXY: '1', SIGNUP_RATE_LIMIT: '3' });
  t.teardown(() => app.close());
  const signUp = (n: number, ip: string) =>
    app.client.post('/users/', {
      json: {
        username: `flood${n}${ip}`,
        email: `flood${n}@${ip.replaceAll('.', '-')}.example.com`,
        password: 'secret',
      },
      headers: { 'x-forwarded-for': ip },
    });
  t.deepEqual(
    [
      (await signUp(1, '192.0.2.50')).status,
      (await signUp(2, '192.0.2.50')).status,
      (await signUp(3, '192.0.2.50')).status,
    ],
    [201, 201, 201],
  );
  const refused = await signUp(4, '192.0.2.50');
  t.is(refused.status, 429);
  t.deepEqual(refused.body, { detail: 'Too many sign-ups, try again later' });
  t.truthy(refused.headers.get('retry-after'));
  t.is((await signUp(5, '192.0.2.51')).status, 201, 'another address is not affected');
});
