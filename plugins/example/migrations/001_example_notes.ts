// The example plugin's table: notes owned by users (a trace table like cornflow's).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('example_notes', (t) => {
    t.increments('id').primary();
    t.string('title', 256).notNullable();
    t.text('body').nullable();
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
    t.timestamp('deleted_at', { useTz: false }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('example_notes');
}
