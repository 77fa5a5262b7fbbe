import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/connection.js';
import { ENV, withAdmin, withDatabase } from './test-cluster.js';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly db: Knex;
  /** Drops the database; safe to call twice. */
  drop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`, which prepares the database`);
  return value;
}

/** A fresh, migrated database for one test file, copied from the run's template. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = required(ENV.adminUrl);
  const template = required(ENV.template);
  const name = `${template.replace(/template$/, '')}${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) =>
    client.query(
      `create database ${client.escapeIdentifier(name)}` +
        (options.migrated === false ? '' : ` template ${client.escapeIdentifier(template)}`),
    ),
  );
  const url = withDatabase(adminUrl, name);
  const db = createDb({ url, poolMax: 10, statementTimeoutMs: 10_000, acquireTimeoutMs: 5_000 });
  let dropped = false;
  return {
    url,
    name,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      await withAdmin(adminUrl, (client) =>
        client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`),
      );
    },
  };
}
