import type { Knex } from 'knex';
import { serviceUnavailable } from '../errors.js';
import { pendingMigrations } from '../db/migrator.js';
import { z } from '../schemas/common.js';
import { route } from '../http/route.js';

const Status = z.object({ status: z.string() }).meta({ id: 'HealthStatus' });

export interface Lifecycle {
  /** True once shutdown began: the readiness probe fails so traffic moves elsewhere. */
  readonly draining: boolean;
}

/** Probes for Docker, Compose and Kubernetes. */
export function healthRoutes(db: Knex, lifecycle: Lifecycle) {
  return [
    route({
      method: 'get',
      path: '/health/live',
      tag: 'health',
      summary: 'Liveness',
      operationId: 'health_live',
      database: false,
      status: 200,
      response: Status,
      handler: () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/health/ready',
      tag: 'health',
      summary: 'Readiness: database reachable and fully migrated',
      operationId: 'health_ready',
      status: 200,
      response: Status,
      errors: [503],
      describe: {
        503: 'Not ready: the database is unreachable, migrations are pending, or the server is shutting down',
      },
      async handler() {
        if (lifecycle.draining) throw serviceUnavailable('Shutting down');
        let pending: string[];
        try {
          pending = await pendingMigrations(db);
        } catch {
          throw serviceUnavailable('Database unreachable');
        }
        if (pending.length > 0) throw serviceUnavailable(`Pending migrations: ${pending.join(', ')}`);
        return { status: 'ready' };
      },
    }),
  ];
}
