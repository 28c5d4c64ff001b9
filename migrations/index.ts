// Static migration source: the same list runs under tsx (src/*.ts) and compiled (dist/), with no file globbing.
import type { Knex } from 'knex';
import * as m001 from './001_cornflow_schema.js';
import * as m002 from './002_list_indexes.js';

const migrations: Record<string, Knex.Migration> = {
  '001_cornflow_schema': m001,
  '002_list_indexes': m002,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

/** Table where knex records applied migrations; distinct from cornflow's alembic_version. */
export const MIGRATIONS_TABLE = 'cornflow_ts_migrations';
