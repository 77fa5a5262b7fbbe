/**
 * `npm run bench`: a real PostgreSQL, seeded data, the API and the raw floor
 * as child processes, bounded autocannon runs, one table. See bench/README.md.
 */
import os from 'node:os';
import jwt from 'jsonwebtoken';
import { FLOOR_APPLICATION_NAME, openBackendMonitor } from './cpu.js';
import { measure, measureAlternating, warmUp, type Measurement } from './load.js';
import { parseOptions } from './options.js';
import { freePort } from '../src/db/free-port.js';
import {
  build,
  buildRevision,
  entries,
  productionNodeFlags,
  remoteServer,
  startServer,
  type ServerProcess,
} from './processes.js';
import { abSummary, formatVerdicts, table, verdicts } from './report.js';
import { scenarios } from './scenarios.js';
import { login, openBenchDatabase, prepareData, serverEnvironment } from './setup.js';

const WARM_UP_SECONDS = 3;
const ALTERNATING_ROUNDS = 3;
// Scenarios whose figures are compared with each other run together in alternating slices.
const COMPARED = [
  ['list-small', 'list-big', 'floor-list-big', 'list-big-b'],
  ['create', 'floor-create', 'create-b'],
  ['patch', 'floor-patch', 'patch-b'],
  ['login', 'login-b'],
];

const compareLabel = (env: Readonly<Record<string, string>> | undefined) =>
  env &&
  `an API with ${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}`;

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const database = await openBenchDatabase(options.databaseUrl, log);
  const servers: ServerProcess[] = [];
  let monitor: Awaited<ReturnType<typeof openBackendMonitor>> | undefined;
  try {
    const seeded = await prepareData(database.url, options, log);
    const { env: serverEnv, secretKey } = serverEnvironment(database.url, options.poolMax);
    const revision = options.compareRef ? await buildRevision(options.compareRef) : undefined;
    if (revision) log(`built ${options.compareRef} (${revision.commit}) for the second API`);
    if (!options.tsx) {
      log('compiling the API (tsc, as npm run build) into node_modules/.cache/fast-zero-bench…');
      await build();
    }
    monitor = await openBackendMonitor(database.url);
    const entry = entries(options.tsx);
    const apiNodeFlags = [...(await productionNodeFlags()), ...options.nodeOptions];
    const api = options.url
      ? remoteServer(options.url)
      : await startServer({
          entry: entry.api,
          nodeOptions: apiNodeFlags,
          probe: entry.probe,
          tsx: options.tsx,
          env: serverEnv,
          port: await freePort(),
          readyPath: '/health/ready',
          backends: monitor.backends,
        });
    servers.push(api);
    const floor = await startServer({
      entry: entry.floor,
      // The same node flags as the API: the ratio compares code, not runtime settings.
      nodeOptions: apiNodeFlags,
      probe: entry.probe,
      tsx: options.tsx,
      env: { ...serverEnv, APPLICATION_NAME: FLOOR_APPLICATION_NAME },
      port: await freePort(),
      readyPath: '/',
      backends: monitor.backends,
    });
    servers.push(floor);
    // A second API with some settings changed, or another revision, measured beside the first (A/B in one run).
    const apiB =
      options.compareEnv || revision
        ? await startServer({
            entry: revision?.api ?? entry.api,
            nodeOptions: apiNodeFlags,
            probe: entry.probe,
            tsx: options.tsx,
            env: { ...serverEnv, ...options.compareEnv },
            port: await freePort(),
            readyPath: '/health/ready',
            backends: monitor.backends,
          })
        : undefined;
    if (apiB) servers.push(apiB);
    const idleRss = await api.rss();
    log(
      `API at ${api.url} (${options.url ? 'given' : options.tsx ? 'tsx, from src/' : 'compiled'}), ` +
        `floor at ${floor.url}`,
    );

    const big = await login(api.url, seeded.big.email);
    const tokens = {
      big,
      small: await login(api.url, seeded.small.email),
      // A remote API has its own secret: the floor then gets a token signed with ours, same claims.
      floor: options.url
        ? jwt.sign({ sub: String(seeded.big.id) }, secretKey, { algorithm: 'HS256', expiresIn: '1h' })
        : big,
    };
    const compare = revision ? `revision ${options.compareRef} (${revision.commit})` : compareLabel(options.compareEnv);
    const all = scenarios({ ...options, seeded, tokens, compare });
    const chosen = options.only.length ? all.filter((s) => options.only.includes(s.name)) : all;
    const listBig = all.find((s) => s.name === 'list-big')!;
    await warmUp(api, listBig, WARM_UP_SECONDS);
    await warmUp(floor, listBig, WARM_UP_SECONDS);
    if (apiB) await warmUp(apiB, listBig, WARM_UP_SECONDS);
    const serverFor = { api, floor, 'api-b': apiB ?? api } as const;

    const measurements: Measurement[] = [];
    // Every figure that is compared with another (the big user's list with the small user's, each
    // endpoint with its floor) comes from alternating slices: the same machine minutes and the
    // same slice starts for all of them.
    const groups = COMPARED.map((names) => chosen.filter((s) => names.includes(s.name))).filter((g) => g.length > 1);
    for (const scenario of chosen) {
      const group = groups.find((g) => g.includes(scenario));
      if (group) {
        if (scenario !== group[0]) continue;
        log(
          `${group.map((s) => s.name).join(', ')}: alternating in ${ALTERNATING_ROUNDS} slices each, ` +
            `${options.durationSeconds} s in all for each`,
        );
        const runs = group.map((s) => ({ server: serverFor[s.target], scenario: s }));
        measurements.push(...(await measureAlternating(runs, options.durationSeconds, ALTERNATING_ROUNDS)));
        continue;
      }
      log(`${scenario.name}: ${scenario.request}, ${scenario.connections} connections, ${options.durationSeconds} s`);
      measurements.push(await measure(serverFor[scenario.target], scenario, options.durationSeconds));
    }

    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    process.stdout.write(
      [
        '',
        `Fast Zero bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()},` +
          ` ${seeded.totalTodos.toLocaleString('en')} todos (big user ${options.todos.toLocaleString('en')}), ` +
          `DB_POOL_MAX ${options.poolMax}, API node flags ${options.url ? 'n/a' : apiNodeFlags.join(' ') || 'none'}, ` +
          `${options.durationSeconds} s per scenario, ${minutes} min in all, ` +
          `API RSS at rest ${idleRss === undefined ? 'n/a' : `${(idleRss / 2 ** 20).toFixed(0)} MB`}`,
        '',
        table(measurements),
        '',
        formatVerdicts(verdicts(measurements, options.todos)),
        ...(compare ? ['', abSummary(measurements, compare)] : []),
        '',
      ].join('\n'),
    );
  } finally {
    for (const server of servers) await server.stop();
    await monitor?.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
