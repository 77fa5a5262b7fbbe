/**
 * Validation of custom resources against the openAPIV3Schema of their CRD,
 * the way the API server would check them, with ajv. The CRDs are vendored
 * verbatim from their projects (test/deploy/schemas/README.md).
 */
import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

const CRDS: Record<string, string> = {
  'postgresql.cnpg.io/Cluster': 'test/deploy/schemas/postgresql.cnpg.io_clusters.yaml',
};

type Schema = { [keyword: string]: any };

/**
 * The API server prunes unknown fields (and `kubectl apply --validate=strict`
 * refuses them): make each object schema that lists its properties closed,
 * unless the CRD marks it x-kubernetes-preserve-unknown-fields, so a typo fails here.
 */
function closeObjects(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const closed: Schema = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closeObjects(value)]));
  if (closed.properties && closed.additionalProperties === undefined && !closed['x-kubernetes-preserve-unknown-fields'])
    closed.additionalProperties = false;
  return closed;
}

const validators = new Map<string, Promise<ValidateFunction>>();
async function validatorFor(group: string, version: string, kind: string): Promise<ValidateFunction> {
  const key = `${group}/${version}/${kind}`;
  let validator = validators.get(key);
  if (!validator) {
    validator = (async () => {
      const file = CRDS[`${group}/${kind}`];
      if (!file) throw new Error(`no CRD vendored for ${group} ${kind}`);
      const crd = parse(await readFile(file, 'utf8'), { maxAliasCount: -1 });
      const served = crd.spec.versions.find((candidate: any) => candidate.name === version && candidate.served);
      if (!served) throw new Error(`${file} serves no version ${version}`);
      // strict: false lets the x-kubernetes-* keywords through; formats such as
      // int32 are not checked, as in the API server's structural schemas.
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
      return ajv.compile(closeObjects(served.schema.openAPIV3Schema));
    })();
    validators.set(key, validator);
  }
  return validator;
}

/** The schema errors of a custom resource, as "path: message" lines (empty when valid). */
export async function validateCustomResource(resource: { apiVersion: string; kind: string }): Promise<string[]> {
  const [group, version] = resource.apiVersion.split('/') as [string, string];
  const validate = await validatorFor(group, version, resource.kind);
  if (validate(resource)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'}: ${error.message} ${JSON.stringify(error.params)}`,
  );
}
