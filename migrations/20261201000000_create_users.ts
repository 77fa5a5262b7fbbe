import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.increments('id');
    // Named constraints: the API maps each unique violation to its own 409 message.
    table.text('username').notNullable().unique({ indexName: 'users_username_unique' });
    table.text('email').notNullable().unique({ indexName: 'users_email_unique' });
    table.text('password').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
