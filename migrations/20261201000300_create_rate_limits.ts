import type { Knex } from 'knex';

/**
 * Rate-limit counters (failed logins, sign-ups), shared by every replica (rate-limiter-flexible's
 * PostgreSQL store, in the shape its own CREATE TABLE uses). Created here so
 * the app needs no DDL rights at run time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limits', (table) => {
    table.string('key', 255).primary();
    table.integer('points').notNullable().defaultTo(0);
    // Milliseconds since the epoch; the sweep deletes rows by it.
    table.bigInteger('expire');
    table.index('expire', 'rate_limits_expire_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rate_limits');
}
