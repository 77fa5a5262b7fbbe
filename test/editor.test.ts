import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { freePort } from '../src/db/free-port.js';
import { TEST_SECRET } from './helpers/app.js';
import { createTestDatabase } from './helpers/database.js';

const scripts = async () =>
  (JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

/** VS Code's JSON with comments, parsed by TypeScript's own JSONC reader. */
async function jsonc<T>(file: string): Promise<T> {
  const { config, error } = ts.parseConfigFileTextToJson(file, await readFile(file, 'utf8'));
  if (error) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  return config as T;
}

interface Task {
  label: string;
  type: string;
  script?: string;
  command?: string;
  args?: string[];
}
interface Launch {
  name: string;
  request: string;
  runtimeExecutable?: string;
  runtimeArgs?: string[];
  program?: string;
  port?: number;
}

test('.vscode: tasks and launch configurations name scripts and files that exist; the folder is not git-ignored', async (t) => {
  const known = await scripts();
  const { tasks } = await jsonc<{ tasks: Task[] }>('.vscode/tasks.json');
  t.deepEqual(
    tasks.map((task) => task.label),
    ['dev', 'test', 'test: current file', 'lint'],
  );
  for (const task of tasks) {
    const script = task.type === 'npm' ? task.script : task.args?.[0];
    t.truthy(script && known[script], `${task.label}: npm script ${script}`);
  }
  const { configurations } = await jsonc<{ configurations: Launch[] }>('.vscode/launch.json');
  for (const launch of configurations) {
    if (launch.runtimeExecutable === 'npm') t.truthy(known[launch.runtimeArgs?.[1] ?? ''], launch.name);
    if (launch.program) await t.notThrowsAsync(access(launch.program.replace('${workspaceFolder}/', '')));
  }
  // --inspect without a port is 127.0.0.1:9229, where the attach configuration looks.
  t.regex(known['dev:debug'] ?? '', /^tsx watch --inspect /);
  t.is(configurations.find((launch) => launch.request === 'attach')?.port, 9229);
  const { recommendations } = await jsonc<{ recommendations: string[] }>('.vscode/extensions.json');
  t.true(recommendations.includes('dbaeumer.vscode-eslint'));
  const ignored = await promisify(execFile)('git', ['check-ignore', '.vscode/launch.json']).then(
    () => true,
    () => false,
  );
  t.false(ignored, '.vscode/ is committed');
});

test('npm run dev:debug: the inspector is in the server, not the watcher, and binds again after each reload', async (t) => {
  const database = await createTestDatabase();
  t.teardown(() => database.drop());
  const inspectPort = await freePort();
  const command = (await scripts())['dev:debug']!.replace('--inspect', `--inspect=127.0.0.1:${inspectPort}`);
  const child = spawn('/bin/sh', ['-c', `exec ${command}`], {
    detached: true,
    env: {
      PATH: `${path.resolve('node_modules/.bin')}:${process.env.PATH}`,
      DATABASE_URL: database.url,
      ENVIRONMENT: 'production',
      SECRET_KEY: TEST_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_FORMAT: 'json',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const count = (pattern: RegExp) => output.match(new RegExp(pattern, 'g'))?.length ?? 0;
  const until = async (condition: () => boolean) => {
    const deadline = Date.now() + 60_000;
    while (!condition()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gave up waiting:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const debuggerLine = new RegExp(`Debugger listening on ws://127\\.0\\.0\\.1:${inspectPort}/`);
  const listening = /"msg":"listening on http/;

  await until(() => count(listening) === 1);
  t.is(count(debuggerLine), 1, 'one inspector: the server process');
  t.is(((await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as unknown[]).length, 1);
  // tsx watch reruns on Return, as on a save.
  child.stdin.write('\n');
  await until(() => count(listening) === 2);
  t.is(count(debuggerLine), 2, 'the restarted server has the inspector again');
  t.false(/address already in use/i.test(output), output);
});
