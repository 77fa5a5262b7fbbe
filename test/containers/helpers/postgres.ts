import { randomBytes } from 'node:crypto';
import { docker, removeContainer, RUN_LABEL, uniqueName, waitHealthy } from './docker.js';

/**
 * A throwaway PostgreSQL 18 container on its own network, for one test file.
 * Each test creates its own database in it, so tests never share rows.
 */
export class Postgres {
  private constructor(
    readonly container: string,
    readonly network: string,
    private readonly password: string,
  ) {}

  static async start(): Promise<Postgres> {
    const network = uniqueName('net');
    const container = uniqueName('pg');
    const password = `test-only-${randomBytes(8).toString('hex')}`;
    await docker(['network', 'create', '--label', RUN_LABEL, network]);
    const pg = new Postgres(container, network, password);
    try {
      // --health-cmd over TCP: during initialisation the socket-only server already answers.
      await docker([
        'run',
        '-d',
        '--name',
        container,
        '--network',
        network,
        '--label',
        RUN_LABEL,
        '-e',
        `POSTGRES_PASSWORD=${password}`,
        '--shm-size',
        '128m',
        '--health-cmd',
        'pg_isready -h 127.0.0.1 -U postgres',
        '--health-interval',
        '1s',
        '--health-retries',
        '90',
        'postgres:18',
      ]);
      await waitHealthy(container, 90_000);
    } catch (error) {
      await pg.stop();
      throw error;
    }
    return pg;
  }

  /** A URL for containers on `network`. */
  url(database: string): string {
    return `postgres://postgres:${this.password}@${this.container}:5432/${database}`;
  }

  /** Runs SQL through psql in the container; returns the unaligned, tuples-only output. */
  async sql(database: string, query: string): Promise<string> {
    const { stdout } = await docker(
      ['exec', this.container, 'psql', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', database, '-tAc', query],
      { timeoutMs: 30_000 },
    );
    return stdout.trim();
  }

  /** A new, empty database with a name of its own. */
  async createDatabase(purpose: string): Promise<string> {
    const name = `${purpose}_${randomBytes(4).toString('hex')}`;
    await this.sql('postgres', `create database ${name}`);
    return name;
  }

  async stop(): Promise<void> {
    await removeContainer(this.container);
    await docker(['network', 'rm', this.network], { check: false });
  }
}
