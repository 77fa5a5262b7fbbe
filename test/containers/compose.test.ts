import test from 'ava';
import { freePort } from '../../src/db/free-port.js';
import { waitHealthy } from './helpers/docker.js';
import { ComposeProject } from './helpers/compose.js';
import { RUN_ID } from './helpers/docker.js';

/** A user and a todo over HTTP, as a client of the published port sees them. */
class Client {
  constructor(private readonly base: string) {}

  async call(method: string, path: string, init: { json?: unknown; form?: Record<string, string>; token?: string }) {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.form) body = new URLSearchParams(init.form).toString();
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    }).catch((error: Error) => {
      throw new Error(`${method} ${path}: ${error.name}: ${error.message}`, { cause: error });
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async login(email: string, password: string): Promise<string> {
    const { status, body } = await this.call('POST', '/auth/token', { form: { username: email, password } });
    if (status !== 200) throw new Error(`POST /auth/token → ${status}: ${JSON.stringify(body)}`);
    return body.access_token as string;
  }

  async todoTitles(email: string, password: string): Promise<string[]> {
    const { status, body } = await this.call('GET', '/todos/', { token: await this.login(email, password) });
    if (status !== 200) throw new Error(`GET /todos/ → ${status}: ${JSON.stringify(body)}`);
    return (body.todos as { title: string }[]).map((todo) => todo.title);
  }
}

test('docker compose up --build: healthy stack, sign-up/login/todo over the published port; data survives restart and down/up', async (t) => {
  t.timeout(25 * 60_000);
  const port = await freePort();
  const project = new ComposeProject(`${RUN_ID}prod${process.pid}`, [], { API_PORT: String(port) });
  t.teardown(() => project.remove());
  const healthy = async () => waitHealthy(await project.containerId('api'), 180_000);

  await project.run(['up', '-d', '--build']);
  await healthy();
  const client = new Client(`http://127.0.0.1:${port}`);
  const user = { username: `ana${RUN_ID}`, email: `ana-${RUN_ID}@example.com`, password: `correct horse ${RUN_ID}` };
  const title = `buy milk ${RUN_ID}`;
  t.is((await client.call('POST', '/users/', { json: user })).status, 201);
  const token = await client.login(user.email, user.password);
  const created = await client.call('POST', '/todos/', {
    token,
    json: { title, description: 'from the container tests', state: 'todo' },
  });
  t.is(created.status, 201);
  t.deepEqual(await client.todoTitles(user.email, user.password), [title]);

  await project.run(['restart', 'api'], { timeoutMs: 120_000 });
  await healthy();
  t.deepEqual(await client.todoTitles(user.email, user.password), [title], 'after restarting the api container');

  await project.run(['down'], { timeoutMs: 120_000 });
  await project.run(['up', '-d'], { timeoutMs: 300_000 });
  await healthy();
  t.deepEqual(await client.todoTitles(user.email, user.password), [title], 'after down (volumes kept) and up');
});
