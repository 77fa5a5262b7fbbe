import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionContext, TestFn } from 'ava';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { FakeClock } from './clock.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-0123456789';

/** Settings for tests: fast bcrypt, a fixed secret; the login and sign-up limits keep their defaults, as any course client meets them. */
export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    ENVIRONMENT: 'production',
    DATABASE_URL: 'postgres://unused/unused',
    SECRET_KEY: TEST_SECRET,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export interface Response<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface RequestOptions {
  readonly token?: string;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** Sent as is, with the given headers. */
  readonly raw?: string | Buffer;
}

/** A fetch client bound to a running test server. */
export class Client {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined = options.raw;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = any>(path: string, options?: RequestOptions) => this.request<T>('GET', path, options);
  post = <T = any>(path: string, options?: RequestOptions) => this.request<T>('POST', path, options);
  put = <T = any>(path: string, options?: RequestOptions) => this.request<T>('PUT', path, options);
  patch = <T = any>(path: string, options?: RequestOptions) => this.request<T>('PATCH', path, options);
  delete = <T = any>(path: string, options?: RequestOptions) => this.request<T>('DELETE', path, options);
}

export interface TestApp {
  readonly client: Client;
  readonly clock: FakeClock;
  readonly database: TestDatabase;
  readonly config: Config;
  readonly app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/** The real app on an ephemeral port, over a fresh database of its own. */
export async function startTestApp(
  options: { env?: NodeJS.ProcessEnv; logger?: Logger; database?: TestDatabase } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = testConfig(options.env);
  const clock = new FakeClock();
  const logger = options.logger ?? createLogger({ level: 'silent', format: 'json' });
  const app = createApp({ config, db: database.db, logger, clock: clock.now });
  const server = http.createServer(app.app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    client: new Client(`http://127.0.0.1:${port}`),
    clock,
    database,
    config,
    app,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.database) await database.drop();
    },
  };
}

/**
 * One app and database per test file (ava runs files in parallel workers);
 * tests in the file make their own rows and never rely on each other's.
 */
export function useTestApp<Context>(test: TestFn<Context & { app: TestApp }>, env?: NodeJS.ProcessEnv) {
  let shared: TestApp | undefined;
  test.before(async () => {
    shared = await startTestApp({ env });
  });
  test.beforeEach((t: ExecutionContext<Context & { app: TestApp }>) => {
    t.context.app = shared as TestApp;
  });
  test.after.always(async () => {
    await shared?.close();
  });
}
