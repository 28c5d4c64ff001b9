// Indexes for the list pages and the per-instance execution lookups. cornflow has none on these columns (not
// even on its foreign keys), so every GET /instance/, /execution/ and /case/ read the whole table and sorted
// it; with (user_id, created_at, id) a user's page is read in order from the index, newest first. Extra indexes
// leave the schema readable by the Flask server; their names start with ix_cornflow_ts_.
import type { Knex } from 'knex';

const INDEXES: { table: string; columns: string[]; name: string }[] = [
  { table: 'instances', columns: ['user_id', 'created_at', 'id'], name: 'ix_cornflow_ts_instances_user_created' },
  { table: 'executions', columns: ['user_id', 'created_at', 'id'], name: 'ix_cornflow_ts_executions_user_created' },
  { table: 'executions', columns: ['instance_id'], name: 'ix_cornflow_ts_executions_instance' },
  { table: 'cases', columns: ['user_id', 'created_at', 'id'], name: 'ix_cornflow_ts_cases_user_created' },
];

export async function up(knex: Knex): Promise<void> {
  for (const { table, columns, name } of INDEXES) {
    await knex.schema.alterTable(table, (t) => {
      t.index(columns, name);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const { table, columns, name } of INDEXES) {
    await knex.schema.alterTable(table, (t) => {
      t.dropIndex(columns, name);
    });
  }
}
