/**
 * fly.toml checked without Fly (unreachable from here): parsed by a TOML
 * parser, compared with the code's routes, port, shutdown and required
 * configuration, and its release command run for real against PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import anyTest, { type TestFn } from 'ava';
import { parse } from 'smol-toml';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { nodeArguments } from '../helpers/server-process.js';
import {
  HEALTH,
  configFrom,
  defaultPort,
  getOperation,
  placeholdersFor,
  productionImage,
  requiredInProduction,
  servedOpenApi,
  unknownSettings,
} from '../helpers/deploy-facts.js';

const test = anyTest as TestFn<{ database: TestDatabase }>;

const flyText = () => readFile('fly.toml', 'utf8');
const fly = async () => parse(await flyText()) as Record<string, any>;
/** What a machine sees: the image's ENV, [env], and the secrets set with `fly secrets`. */
const env = async () => ({
  ...(await productionImage()).env,
  ...((await fly()).env as Record<string, string>),
  ...placeholdersFor(requiredInProduction()),
});

/** Fly durations: "20s", "1m", or a number of seconds. */
const seconds = (value: string | number) => {
  if (typeof value === 'number') return value;
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
};

test.afterEach.always(async (t) => {
  await t.context.database?.drop();
});

test('fly.toml: internal_port = the configured PORT = the default PORT = the image EXPOSE; the live check uses it too', async (t) => {
  const config = await fly();
  const port = config.http_service.internal_port;
  t.is(port, configFrom(await env()).port);
  t.is(port, defaultPort());
  t.deepEqual((await productionImage()).exposed, [port]);
  t.is(config.checks.live.port, port);
  // Fly's edge proxy is the one hop that appends to X-Forwarded-For.
  t.is(configFrom(await env()).trustProxy, 1);
});

test('fly.toml: the proxy checks readiness and the machine check liveness, on GET routes the app serves', async (t) => {
  const [config, document] = await Promise.all([fly(), servedOpenApi()]);
  const [ready] = config.http_service.checks;
  t.is(ready.path, HEALTH.ready);
  t.is(config.checks.live.path, HEALTH.live);
  for (const check of [ready, config.checks.live]) {
    t.is(check.method.toUpperCase(), 'GET');
    t.truthy(getOperation(document, check.path), `GET ${check.path} is not a route of the app`);
  }
  t.truthy(getOperation(document, HEALTH.ready)?.responses['503']);
});

test("fly.toml: kill_timeout covers SHUTDOWN_TIMEOUT_MS and the server's 5 s forced-exit margin", async (t) => {
  const config = await fly();
  t.true(['SIGTERM', 'SIGINT'].includes(config.kill_signal));
  t.true(seconds(config.kill_timeout) >= configFrom(await env()).shutdownTimeoutMs / 1000 + 5);
  t.true(config.http_service.min_machines_running >= 2, 'a deploy or a crash never leaves no machine');
});

test('fly.toml: secrets are not in [env]; every variable loadConfig requires is named in the `fly secrets`/`attach` lines', async (t) => {
  const [config, text] = await Promise.all([fly(), flyText()]);
  const instructions = text.split('\n').filter((line) => /^#.*fly (secrets set|postgres attach)/.test(line));
  const attachSets = instructions.some((line) => line.includes('postgres attach') && line.includes('DATABASE_URL'));
  for (const name of requiredInProduction()) {
    t.false(name in config.env, `${name} is a secret: fly secrets set, not [env]`);
    t.false(`${name}_FILE` in config.env);
    const named = instructions.some((line) => line.includes(`${name}=`)) || (name === 'DATABASE_URL' && attachSets);
    t.true(named, `${name} is required in production but fly.toml does not say how to set it`);
  }
  t.deepEqual(unknownSettings(config.env), [], 'variables the server does not read');
  // With the secrets supplied, the rest of [env] loads.
  t.notThrows(() =>
    configFrom({ ...(config.env as Record<string, string>), ...placeholdersFor(requiredInProduction()) }),
  );
});

test('fly.toml: the release command migrates an empty database once, and machines do not migrate again', async (t) => {
  const config = await fly();
  t.false(configFrom(await env()).runMigrations);
  const [node, script, ...args] = (config.deploy.release_command as string).split(' ');
  t.is(node, 'node');
  // The image runs the compiled dist/src/cli/migrate.js; here the same file of this run's build (or its source under tsx).
  const source = script!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
  t.context.database = await createTestDatabase({ migrated: false });
  const run = () =>
    promisify(execFile)(process.execPath, [...nodeArguments(source), ...args], {
      env: { PATH: process.env.PATH, ENVIRONMENT: 'production', DATABASE_URL: t.context.database.url },
    });
  const first = await run();
  t.regex(first.stdout, /applied/);
  const files = (await readdir('migrations')).filter((file) => file.endsWith('.ts'));
  const rows = await t.context.database.db('knex_migrations').select('name');
  t.is(rows.length, files.length);
  // A second deploy of the same release finds nothing to do.
  t.regex((await run()).stdout, /already up to date/);
});
