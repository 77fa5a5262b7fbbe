import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('todos', (table) => {
    table.increments('id');
    table.text('title').notNullable();
    table.text('description').notNullable();
    table
      .enu('state', ['draft', 'todo', 'doing', 'done', 'trash'], { useNative: true, enumName: 'todo_state' })
      .notNullable();
    table.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Every todo query is "this user's todos, by id": one index serves the
    // filter, the order and the cascade delete.
    table.index(['user_id', 'id'], 'todos_user_id_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('todos');
  await knex.raw('drop type if exists todo_state');
}
