/**
 * deploy/kubernetes/ checked without a cluster: every overlay renders with
 * `kubectl kustomize`, every object validates against the Kubernetes API
 * schemas (kubernetes-models) or the CloudNativePG CRD, and the Deployment
 * agrees with the code (routes, port, image user, required configuration).
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { validateCustomResource } from '../helpers/custom-resources.js';
import {
  HEALTH,
  configFrom,
  defaultPort,
  getOperation,
  productionImage,
  requiredInProduction,
  servedOpenApi,
  unknownSettings,
} from '../helpers/deploy-facts.js';

const ROOT = 'deploy/kubernetes';
const OVERLAYS = readdirSync(`${ROOT}/overlays`).map((name) => `${ROOT}/overlays/${name}`);
// CI installs Debian's kubernetes-client when no kubectl is on PATH (.ci/run).
const KUBECTL = process.env.KUBECTL ?? 'kubectl';

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: any };
  [key: string]: any;
};

const renders = new Map<string, Promise<Manifest[]>>();
/** `kubectl kustomize DIR`, parsed; each directory is rendered once per run. */
function render(directory: string): Promise<Manifest[]> {
  let rendered = renders.get(directory);
  if (!rendered) {
    rendered = promisify(execFile)(KUBECTL, ['kustomize', directory], { maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) =>
        parseAllDocuments(stdout).map((document) => {
          if (document.errors.length > 0) throw document.errors[0];
          return document.toJS() as Manifest;
        }),
    );
    renders.set(directory, rendered);
  }
  return rendered;
}

const only = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const one = (manifests: Manifest[], kind: string) => {
  const found = only(manifests, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
};

/** kubernetes-models' class for apiVersion/kind, e.g. apps/v1 Deployment → kubernetes-models/apps/v1. */
async function modelFor(apiVersion: string, kind: string) {
  const module = (await import(`kubernetes-models/${apiVersion}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = module[kind];
  if (!Model) throw new Error(`kubernetes-models has no ${apiVersion} ${kind}`);
  return Model;
}

test('the repository has the example and the CloudNativePG overlays', (t) => {
  t.deepEqual(OVERLAYS.sort(), [`${ROOT}/overlays/cloudnative-pg`, `${ROOT}/overlays/example`]);
});

for (const directory of [`${ROOT}/base`, ...OVERLAYS]) {
  test(`kubectl kustomize ${directory} renders, and every object validates against its API schema`, async (t) => {
    const manifests = await render(directory);
    t.true(manifests.length >= 5);
    for (const manifest of manifests) {
      const where = `${manifest.kind}/${manifest.metadata.name}`;
      if (manifest.apiVersion.endsWith('.cnpg.io/v1')) {
        const errors = await validateCustomResource(manifest);
        t.deepEqual(errors, [], where);
      } else {
        const Model = await modelFor(manifest.apiVersion, manifest.kind);
        t.notThrows(() => new Model(manifest).validate(), where);
      }
    }
  });
}

for (const overlay of OVERLAYS) {
  test(`${overlay}: the probes use routes the app serves (from its OpenAPI document)`, async (t) => {
    const [manifests, document] = await Promise.all([render(overlay), servedOpenApi()]);
    const container = one(manifests, 'Deployment').spec.template.spec.containers[0];
    t.is(container.startupProbe.httpGet.path, HEALTH.ready);
    t.is(container.readinessProbe.httpGet.path, HEALTH.ready);
    t.is(container.livenessProbe.httpGet.path, HEALTH.live);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const path = container[probe].httpGet.path;
      t.truthy(getOperation(document, path), `${probe}: GET ${path} is not a route of the app`);
      t.is(container[probe].httpGet.port, 'http');
    }
    // Readiness must be the probe that fails while draining or unmigrated.
    t.truthy(getOperation(document, HEALTH.ready)?.responses['503']);
  });

  test(`${overlay}: container port = the configured PORT = the image's EXPOSE; the Service and Ingress reach it; TRUST_PROXY counts the Ingress`, async (t) => {
    const manifests = await render(overlay);
    const image = await productionImage();
    const deployment = one(manifests, 'Deployment');
    const [container] = deployment.spec.template.spec.containers;
    const port = container.ports.find((candidate: any) => candidate.name === 'http').containerPort;
    const config = configFrom({ ...image.env, ...containerEnv(manifests, container) });
    t.is(port, config.port);
    // The ingress controller is the one proxy that appends to X-Forwarded-For.
    t.is(config.trustProxy, only(manifests, 'Ingress').length > 0 ? 1 : 0);
    t.is(port, defaultPort());
    t.deepEqual(image.exposed, [port]);
    const service = one(manifests, 'Service');
    t.is(service.spec.ports[0].targetPort, 'http');
    t.deepEqual(service.spec.selector, deployment.spec.template.metadata.labels);
    for (const ingress of only(manifests, 'Ingress')) {
      for (const rule of ingress.spec.rules) {
        for (const path of rule.http.paths) {
          t.is(path.backend.service.name, service.metadata.name);
          t.is(path.backend.service.port.name, service.spec.ports[0].name);
        }
      }
    }
  });

  test(`${overlay}: the pod runs as the image's user, read-only, without capabilities or a service account token`, async (t) => {
    const manifests = await render(overlay);
    const image = await productionImage();
    const pod = one(manifests, 'Deployment').spec.template.spec;
    const [container] = pod.containers;
    t.is(pod.securityContext.runAsUser, image.uid);
    t.true(pod.securityContext.runAsNonRoot);
    t.is(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    t.false(pod.automountServiceAccountToken);
    t.true(container.securityContext.readOnlyRootFilesystem);
    t.false(container.securityContext.allowPrivilegeEscalation);
    t.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
    // Node writes temporary files; the root filesystem is read-only.
    const tmp = container.volumeMounts.find((mount: any) => mount.mountPath === '/tmp');
    t.truthy(pod.volumes.find((volume: any) => volume.name === tmp?.name)?.emptyDir);
    for (const kind of ['requests', 'limits']) {
      t.truthy(container.resources[kind]?.cpu, `${kind}.cpu`);
      t.truthy(container.resources[kind]?.memory, `${kind}.memory`);
    }
  });

  test(`${overlay}: shutdown fits: grace period > preStop pause + SHUTDOWN_TIMEOUT_MS + the server's 5 s forced-exit margin`, async (t) => {
    const manifests = await render(overlay);
    const image = await productionImage();
    const deployment = one(manifests, 'Deployment');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const [command, seconds] = container.lifecycle.preStop.exec.command;
    t.is(command, 'sleep');
    const pause = Number(seconds);
    t.true(pause >= 3, 'endpoints need a few seconds to drop the pod');
    const { shutdownTimeoutMs } = configFrom({ ...image.env, ...containerEnv(manifests, container) });
    t.true(pod.terminationGracePeriodSeconds > pause + shutdownTimeoutMs / 1000 + 5);
    // A rolling update never lowers capacity: a new pod is ready before an old one stops.
    t.is(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
  });

  test(`${overlay}: every variable loadConfig requires in production is set, secrets as files from a Secret`, async (t) => {
    const manifests = await render(overlay);
    const pod = one(manifests, 'Deployment').spec.template.spec;
    const [container] = pod.containers;
    const env = containerEnv(manifests, container);
    const required = requiredInProduction();
    t.true(required.includes('SECRET_KEY') && required.includes('DATABASE_URL'), required.join());
    for (const name of required) {
      t.falsy(env[name], `${name} is a secret: set ${name}_FILE instead of the value`);
      const file = env[`${name}_FILE`];
      t.truthy(file, `${name}_FILE is not set`);
      t.truthy(file && secretBehind(pod, container, file), `${file} is not a key of a mounted Secret`);
    }
    t.deepEqual(unknownSettings(env), [], 'variables the server does not read');
    // The whole configuration loads: no other key is missing or malformed.
    const image = await productionImage();
    t.notThrows(() => configFrom({ ...image.env, ...env }));
  });

  test(`${overlay}: the server migrates at start (under its advisory lock), no Job does`, async (t) => {
    const manifests = await render(overlay);
    const image = await productionImage();
    const container = one(manifests, 'Deployment').spec.template.spec.containers[0];
    t.true(configFrom({ ...image.env, ...containerEnv(manifests, container) }).runMigrations);
    t.is(only(manifests, 'Job').length, 0, 'migrations run in the server, not in a Job (docs/deploy.md)');
  });

  test(`${overlay}: the PodDisruptionBudget and the autoscaler select and scale the Deployment, never below 2 pods`, async (t) => {
    const manifests = await render(overlay);
    const deployment = one(manifests, 'Deployment');
    const labels = deployment.spec.template.metadata.labels;
    t.deepEqual(one(manifests, 'PodDisruptionBudget').spec.selector.matchLabels, labels);
    const autoscaler = one(manifests, 'HorizontalPodAutoscaler');
    t.deepEqual(autoscaler.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    t.true(autoscaler.spec.minReplicas >= 2);
    t.is(deployment.spec.replicas, undefined, 'the autoscaler owns the replica count');
  });
}

test('cloudnative-pg overlay: DATABASE_URL_FILE is the `uri` of the Secret the operator creates for the Cluster', async (t) => {
  const manifests = await render(`${ROOT}/overlays/cloudnative-pg`);
  const cluster = one(manifests, 'Cluster');
  const pod = one(manifests, 'Deployment').spec.template.spec;
  const [container] = pod.containers;
  const source = secretBehind(pod, container, containerEnv(manifests, container).DATABASE_URL_FILE!);
  t.deepEqual(source, { secret: `${cluster.metadata.name}-app`, key: 'uri' });
  t.is(cluster.metadata.namespace, one(manifests, 'Deployment').metadata.namespace);
  // HPA max x DB_POOL_MAX + one surge pod must fit in max_connections with room for migrations and admins.
  const { db } = configFrom(containerEnv(manifests, container));
  const pods = one(manifests, 'HorizontalPodAutoscaler').spec.maxReplicas + 1;
  t.true(pods * db.poolMax + 10 <= Number(cluster.spec.postgresql.parameters.max_connections));
});

/** The environment a container sees: its ConfigMaps (envFrom) then its own env values. */
function containerEnv(manifests: Manifest[], container: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const configMap = only(manifests, 'ConfigMap').find((candidate) => candidate.metadata.name === name);
    if (!configMap) throw new Error(`envFrom names ConfigMap ${name}, which the overlay does not render`);
    Object.assign(env, configMap.data);
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom) throw new Error(`${variable.name}: a secret or reference in the environment`);
    env[variable.name] = String(variable.value);
  }
  return env;
}

/** Which Secret key a file path in the container comes from, if any. */
function secretBehind(pod: any, container: any, file: string): { secret: string; key: string } | undefined {
  for (const mount of container.volumeMounts ?? []) {
    const prefix = `${mount.mountPath.replace(/\/$/, '')}/`;
    if (!file.startsWith(prefix)) continue;
    const relative = file.slice(prefix.length);
    const volume = pod.volumes.find((candidate: any) => candidate.name === mount.name);
    const secrets = volume?.secret
      ? [{ name: volume.secret.secretName, items: volume.secret.items }]
      : (volume?.projected?.sources ?? []).filter((s: any) => s.secret).map((s: any) => s.secret);
    for (const secret of secrets) {
      const item = secret.items?.find((candidate: any) => candidate.path === relative);
      if (item) return { secret: secret.name, key: item.key };
    }
  }
  return undefined;
}
