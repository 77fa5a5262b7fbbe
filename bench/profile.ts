/**
 * `npm run bench:profile`: the production build (`npm run build`, dist/,
 * start:prod's node flags) under the bench's load with `node --cpu-prof`,
 * then where its CPU went, by layer (bench/profile-layers.ts), beside the
 * CPU per request of the PostgreSQL backends serving it.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import { freePort } from '../src/db/free-port.js';
import { FLOOR_APPLICATION_NAME, openBackendMonitor } from './cpu.js';
import { cpuPerRequest, measure, warmUp } from './load.js';
import { build, entries, productionNodeFlags, startServer, type ServerProcess } from './processes.js';
import { LAYERS, summarize, type CpuProfile } from './profile-layers.js';
import { scenarios } from './scenarios.js';
import { login, openBenchDatabase, prepareData, serverEnvironment } from './setup.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROFILED = ['list-big', 'create', 'patch'];
const log = (message: string) => process.stderr.write(`profile: ${message}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'list-big' },
      floor: { type: 'boolean', default: false },
      todos: { type: 'string', default: '100000' },
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '64' },
      pool: { type: 'string', default: '10' },
      save: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !PROFILED.includes(values.scenario)) {
    process.stdout.write(
      `npm run bench:profile -- [--scenario ${PROFILED.join('|')}] [--floor] [--todos N] [--duration S] ` +
        `[--connections N] [--pool N] [--save FILE]\n  --floor  profile the floor (bench/floor.ts) instead of the API\n` +
        `  --save   keep the .cpuprofile as FILE (Chrome DevTools, speedscope)\n`,
    );
    process.exit(values.help ? 0 : 2);
  }
  return {
    scenario: values.scenario,
    floor: values.floor,
    todos: Number(values.todos),
    durationSeconds: Number(values.duration),
    connections: Number(values.connections),
    poolMax: Number(values.pool),
    save: values.save,
  };
}

async function main(): Promise<void> {
  const opts = options();
  const database = await openBenchDatabase(undefined, log);
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'fast-zero-profile-'));
  let server: ServerProcess | undefined;
  let monitor: Awaited<ReturnType<typeof openBackendMonitor>> | undefined;
  try {
    const seeded = await prepareData(database.url, { todos: opts.todos, users: 100 }, log);
    const { env, secretKey } = serverEnvironment(database.url, opts.poolMax);
    log(opts.floor ? 'compiling the floor…' : 'npm run build…');
    await (opts.floor ? build() : promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT }));
    monitor = await openBackendMonitor(database.url);
    const nodeFlags = await productionNodeFlags();
    const profiled = opts.floor ? 'floor' : 'api';
    server = await startServer({
      entry: opts.floor ? entries(false).floor : path.join(ROOT, 'dist', 'src', 'server.js'),
      nodeOptions: [...nodeFlags, '--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      tsx: false,
      env: { ...env, APPLICATION_NAME: FLOOR_APPLICATION_NAME },
      port: await freePort(),
      readyPath: opts.floor ? '/' : '/health/ready',
      backends: monitor.backends,
    });
    const token = opts.floor
      ? jwt.sign({ sub: String(seeded.big.id) }, secretKey, { algorithm: 'HS256', expiresIn: '1h' })
      : await login(server.url, seeded.big.email);
    const scenario = scenarios({
      seeded,
      tokens: { big: token, small: token, floor: token },
      users: 100,
      connections: opts.connections,
      loginConnections: 1,
    }).find((s) => s.name === opts.scenario)!;
    log(`${scenario.name}: 3 s warm-up, then ${opts.durationSeconds} s under --cpu-prof`);
    await warmUp(server, scenario, 3);
    const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
    const fromUs = monotonicUs();
    const measured = await measure(server, scenario, opts.durationSeconds);
    const toUs = monotonicUs();
    await server.stop();
    server = undefined;

    const [file] = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the server wrote no .cpuprofile');
    if (opts.save) await copyFile(path.join(profileDir, file), opts.save);
    // Only the samples of the measured window: not start-up, login or warm-up.
    const profile = JSON.parse(await readFile(path.join(profileDir, file), 'utf8')) as CpuProfile;
    const summary = summarize(profile, { fromUs, toUs });
    const cpu = cpuPerRequest(measured);
    const perRequest = (ms: number) =>
      cpu.server === undefined ? 'n/a' : ((ms / summary.totalMs) * cpu.server).toFixed(0);
    const rows = LAYERS.map((layer) => [layer, summary.layers.get(layer) ?? 0] as const).filter(([, ms]) => ms > 0);
    process.stdout.write(
      [
        '',
        `Fast Zero profile — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} × ` +
          `${os.cpus()[0]?.model.trim()}, ${opts.floor ? 'the floor' : 'the API'}, ${scenario.request}, ${scenario.connections} connections, ` +
          `${opts.durationSeconds} s, node flags ${nodeFlags.join(' ')} --cpu-prof, ` +
          `${measured.requestsPerSecond.toFixed(0)} req/s under the profiler`,
        '',
        `| layer | share of ${profiled} CPU | ${profiled} µs/request |`,
        '|---|---|---|',
        ...rows.map(
          ([layer, ms]) => `| ${layer} | ${((ms / summary.totalMs) * 100).toFixed(1)} % | ${perRequest(ms)} |`,
        ),
        `| **${profiled} process, all layers** (profiler running) | 100 % | ${cpu.server?.toFixed(0) ?? 'n/a'} |`,
        `| **PostgreSQL backends serving it** | | ${cpu.backends?.toFixed(0) ?? 'n/a'} |`,
        '',
        'Top frames by self time:',
        '',
        ...summary.topFrames.map(
          ({ frame, ms }) => `- ${((ms / summary.totalMs) * 100).toFixed(1)} % ${frame.replace(/\|/g, '\\|')}`,
        ),
        '',
      ].join('\n'),
    );
  } finally {
    await server?.stop();
    await monitor?.close();
    await database.close();
    await rm(profileDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
