// cornflow's complete data model at Alembic head 4729cd156460 (cornflow-platform.md §1.2): same tables,
// columns, types, nullability and constraint names, so a database stays readable by the Flask server.
import type { Knex } from 'knex';

function trace(t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: false }).notNullable();
  t.timestamp('updated_at', { useTz: false }).notNullable();
  t.timestamp('deleted_at', { useTz: false }).nullable();
}

function dataColumns(t: Knex.CreateTableBuilder): void {
  t.json('data').nullable();
  t.json('checks').nullable();
  t.string('name', 256).notNullable();
  t.text('description').nullable();
  t.string('data_hash', 256).notNullable();
  t.string('schema', 256).nullable();
  t.integer('user_id').notNullable().references('id').inTable('users');
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('first_name', 128).nullable();
    t.string('last_name', 128).nullable();
    t.string('username', 128).notNullable();
    t.string('password', 128).nullable();
    t.timestamp('pwd_last_change', { useTz: false }).nullable();
    t.string('email', 128).notNullable();
    trace(t);
    t.unique(['email'], { indexName: 'users_email_key' });
    t.unique(['username'], { indexName: 'c_unique_users_username' });
  });
  await knex.schema.createTable('instances', (t) => {
    t.string('id', 256).primary();
    dataColumns(t);
    trace(t);
  });
  await knex.schema.createTable('executions', (t) => {
    t.string('id', 256).primary();
    dataColumns(t);
    t.string('instance_id', 256).notNullable().references('id').inTable('instances');
    t.json('config').notNullable();
    t.string('run_id', 256).nullable();
    t.text('log_text').nullable();
    t.json('log_json').nullable();
    t.smallint('state').notNullable().defaultTo(0);
    t.text('state_message').nullable();
    t.json('kpis').nullable();
    t.boolean('last_run_checks_and_kpis').nullable();
    t.boolean('checks_and_kpis_only').nullable();
    t.smallint('execution_files_status').notNullable();
    trace(t);
  });
  await knex.schema.createTable('cases', (t) => {
    t.increments('id').primary();
    t.string('path', 500).notNullable().index('ix_cases_path');
    dataColumns(t);
    t.json('solution').nullable();
    t.string('solution_hash', 256).notNullable();
    t.json('solution_checks').nullable();
    t.json('kpis').nullable();
    trace(t);
  });
  await knex.schema.createTable('actions', (t) => {
    t.integer('id').primary();
    t.string('name', 128).notNullable().unique({ indexName: 'actions_name_key' });
  });
  await knex.schema.createTable('api_view', (t) => {
    t.increments('id').primary();
    t.string('name', 128).notNullable().unique({ indexName: 'api_view_name_key' });
    t.string('url_rule', 128).notNullable();
    t.text('description').nullable();
  });
  await knex.schema.createTable('roles', (t) => {
    t.increments('id').primary();
    t.string('name', 128).notNullable();
    trace(t);
  });
  await knex.schema.createTable('permission_view', (t) => {
    t.increments('id').primary();
    t.integer('action_id').notNullable().references('id').inTable('actions');
    t.integer('api_view_id').notNullable().references('id').inTable('api_view');
    t.integer('role_id').notNullable().references('id').inTable('roles');
    trace(t);
    t.unique(['action_id', 'api_view_id', 'role_id'], { indexName: 'permission_view_action_id_api_view_id_role_id_key' });
  });
  await knex.schema.createTable('user_role', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.integer('role_id').notNullable().references('id').inTable('roles');
    trace(t);
    t.unique(['user_id', 'role_id'], { indexName: 'c_unique_user_role_user_id_role_id' });
  });
  await knex.schema.createTable('deployed_workflows', (t) => {
    // The table was called deployed_dags before cornflow renamed it; its PK kept the old name.
    t.string('id', 128).notNullable();
    // (knex cannot name a primary key on SQLite, where the name does not matter.)
    if (knex.client.config.client === 'pg') t.primary(['id'], { constraintName: 'deployed_dags_pkey' });
    else t.primary(['id']);
    t.text('description').nullable();
    for (const c of ['instance_schema', 'solution_schema', 'config_schema', 'instance_checks_schema', 'solution_checks_schema', 'kpis_schema']) {
      t.json(c).nullable();
    }
    trace(t);
  });
  await knex.schema.createTable('permission_dag', (t) => {
    t.increments('id').primary();
    t.string('dag_id', 128).notNullable().references('id').inTable('deployed_workflows');
    t.integer('user_id').notNullable().references('id').inTable('users');
    trace(t);
    t.unique(['dag_id', 'user_id'], { indexName: 'permission_dag_dag_id_user_id_key' });
  });
  await knex.schema.createTable('alarms', (t) => {
    t.increments('id').primary();
    t.string('name', 256).notNullable();
    t.double('criticality').notNullable();
    t.text('description').notNullable();
    t.string('schema', 256).nullable();
    trace(t);
  });
  await knex.schema.createTable('main_alarms', (t) => {
    t.increments('id').primary();
    t.integer('id_alarm').notNullable().references('id').inTable('alarms');
    t.double('criticality').notNullable();
    t.text('message').notNullable();
    t.string('schema', 256).nullable();
    trace(t);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['main_alarms', 'alarms', 'permission_dag', 'deployed_workflows', 'user_role', 'permission_view', 'roles', 'api_view', 'actions', 'cases', 'executions', 'instances', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
