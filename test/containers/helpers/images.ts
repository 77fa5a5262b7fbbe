import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { docker, RUN_ID, RUN_LABEL } from './docker.js';

const SYSTEM_CAS = '/usr/local/share/ca-certificates';

/**
 * PEM text of extra CAs for a TLS-intercepting network, the images' build
 * argument: EXTRA_CA_CERTS if set, else the host's /usr/local/share/ca-certificates/*.crt.
 */
export function extraCaCerts(): string {
  if (process.env.EXTRA_CA_CERTS) return process.env.EXTRA_CA_CERTS;
  let files: string[];
  try {
    files = readdirSync(SYSTEM_CAS).filter((file) => file.endsWith('.crt'));
  } catch {
    return '';
  }
  return files.map((file) => readFileSync(path.join(SYSTEM_CAS, file), 'utf8')).join('\n');
}

/** Environment for docker and compose commands that build: BuildKit on, the CA text passed by name. */
export function buildEnv(): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_BUILDKIT: '1', COMPOSE_DOCKER_CLI_BUILD: '1', EXTRA_CA_CERTS: extraCaCerts() };
}

const builds = new Map<string, Promise<string>>();

/**
 * Builds `target` of ./Dockerfile once per run and returns its tag. Workers
 * share the tag through the run id; the runner removes it at the end.
 */
function image(target: 'production' | 'dev'): Promise<string> {
  const tag = `fast-zero-test:${RUN_ID}-${target}`;
  let build = builds.get(tag);
  if (!build) {
    build = (async () => {
      if ((await docker(['image', 'inspect', tag], { check: false })).code === 0) return tag;
      // `--build-arg NAME` without a value reads it from the environment: the PEM stays off the command line.
      await docker(
        ['build', '-q', '--target', target, '--label', RUN_LABEL, '--build-arg', 'EXTRA_CA_CERTS', '-t', tag, '.'],
        { env: buildEnv(), timeoutMs: 20 * 60_000 },
      );
      return tag;
    })();
    builds.set(tag, build);
  }
  return build;
}

/** The production image (the Dockerfile's default, last stage). */
export const productionImage = () => image('production');
/** The dev target (the dev container's image). */
export const devImage = () => image('dev');
