import pg from 'pg';

export { withDatabase } from '../../src/db/connection.js';

/** Names the test runner hands to every worker through the environment. */
export const ENV = {
  adminUrl: 'FZ_TEST_ADMIN_URL',
  template: 'FZ_TEST_TEMPLATE_DB',
  runId: 'FZ_TEST_RUN_ID',
  /** This run's build of src/, migrations/ and test/ (test/helpers/test-build.ts); unset: everything runs under tsx. */
  build: 'FZ_TEST_BUILD',
  /** `off`: throwaway clusters run initdb instead of copying the cached one (test/helpers/cluster-seed.ts). */
  clusterCache: 'FZ_TEST_CLUSTER_CACHE',
  /** Where `npm test` moved TMPDIR (test/helpers/scratch-space.ts); empty when it kept the given or default one. */
  scratch: 'FZ_TEST_SCRATCH',
} as const;

/** Every database a test run creates starts with this, so cleanup can never hit anything else. */
export const TEST_DB_PREFIX = 'fz_test_';

/** Runs `fn` with a short-lived connection to the cluster's admin URL. */
export async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
