/**
 * deploy/swarm checked against the code without Docker (the rollout itself
 * runs for real in test/containers/swarm.test.ts): the stack's settings, the
 * healthcheck and HAProxy's check use what the app serves and reads.
 */
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { parse } from 'yaml';
import {
  HEALTH,
  configFrom,
  getOperation,
  productionImage,
  requiredInProduction,
  servedOpenApi,
  unknownSettings,
} from '../helpers/deploy-facts.js';

const stack = async () => parse(await readFile('deploy/swarm/stack.yml', 'utf8')) as Record<string, any>;
const haproxy = () => readFile('deploy/swarm/haproxy/haproxy.cfg', 'utf8');

/** The API service's environment with `${VAR:-default}` resolved to its default, as `docker stack deploy` would. */
async function apiEnv(): Promise<Record<string, string>> {
  const environment = (await stack()).services.api.environment as Record<string, string | number>;
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
}

/** "20s", "1m30s" → seconds. */
const seconds = (duration: string) =>
  [...duration.matchAll(/(\d+)(ms|s|m)/g)].reduce(
    (sum, [, value, unit]) => sum + Number(value) * { ms: 0.001, s: 1, m: 60 }[unit as 'ms' | 's' | 'm'],
    0,
  );

test('stack.yml: the API reads every variable it is given, and every required secret comes from a Docker secret file', async (t) => {
  const { services, secrets } = await stack();
  const env = await apiEnv();
  t.deepEqual(unknownSettings(env), [], 'variables the server does not read');
  const mounted = new Set((services.api.secrets as string[]).map((name) => `/run/secrets/${name}`));
  for (const name of requiredInProduction()) {
    t.falsy(env[name], `${name} is a secret: set ${name}_FILE`);
    t.true(mounted.has(env[`${name}_FILE`] ?? ''), `${name}_FILE is not a mounted secret`);
  }
  for (const name of services.api.secrets as string[]) t.truthy(secrets[name], `secret ${name} is not declared`);
  const image = await productionImage();
  t.notThrows(() => configFrom({ ...image.env, ...env }));
});

test('stack.yml: updates start the new task first, gate on its healthcheck and roll back on failure', async (t) => {
  const { api } = (await stack()).services;
  const update = api.deploy.update_config;
  t.is(update.order, 'start-first');
  t.is(update.failure_action, 'rollback');
  t.is(update.parallelism, 1);
  t.is(api.deploy.rollback_config.order, 'start-first');
  t.true(api.deploy.replicas >= 2);
  t.is(api.deploy.endpoint_mode, 'dnsrr');
});

test("stack.yml: stop_grace_period covers SHUTDOWN_TIMEOUT_MS and the server's 5 s forced-exit margin", async (t) => {
  const { api } = (await stack()).services;
  const image = await productionImage();
  const { shutdownTimeoutMs } = configFrom({ ...image.env, ...(await apiEnv()) });
  t.true(seconds(api.stop_grace_period) > shutdownTimeoutMs / 1000 + 5);
});

test('stack.yml and haproxy.cfg: the healthcheck and HAProxy check the readiness route on the configured port', async (t) => {
  const [{ api }, config, document, image] = await Promise.all([
    stack().then((file) => file.services),
    haproxy(),
    servedOpenApi(),
    productionImage(),
  ]);
  t.true(api.healthcheck.test.join(' ').includes(HEALTH.ready));
  t.truthy(getOperation(document, HEALTH.ready)?.responses['503']);
  t.regex(config, new RegExp(`http-check send meth GET uri ${HEALTH.ready}\\n`));
  const port = configFrom({ ...image.env, ...(await apiEnv()) }).port;
  t.regex(config, new RegExp(`server-template api \\d+ "tasks\\.\\$\\{API_SERVICE\\}:${port}"`));
  // HAProxy is the one proxy in front, and it appends the client's address.
  t.regex(config, /\n\s+option forwardfor\n/);
  t.is(configFrom({ ...image.env, ...(await apiEnv()) }).trustProxy, 1);
});
