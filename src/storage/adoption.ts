// Adopting a database created and filled by the Flask cornflow (Alembic): it is recognised by its
// alembic_version table, our baseline (001_cornflow_schema, which is cornflow's schema at Alembic head) is
// recorded as applied without touching any table, and only the later (additive) knex migrations run.
import type { Db } from './db.js';
import { MIGRATIONS_TABLE } from '../../migrations/index.js';

/** cornflow's final Alembic revision, whose schema 001_cornflow_schema reproduces. */
export const ALEMBIC_HEAD = '4729cd156460';
/** The knex migration that stands for cornflow's schema. */
export const BASELINE_MIGRATION = '001_cornflow_schema';

export interface DatabaseInspection {
  /** alembic_version exists: the database was created by the Flask cornflow. */
  cornflow: boolean;
  /** Its Alembic revision (null when not a cornflow database or the table is empty). */
  alembicRevision: string | null;
  /** cornflow-ts's migration table holds the baseline. */
  adopted: boolean;
  /** cornflow-ts's migration table exists. */
  managed: boolean;
  /** What `migrations upgrade` / start-up would do: record the baseline, then apply these migrations. */
  recordBaseline: boolean;
  pending: string[];
  /** Why cornflow-ts refuses this database (unknown or older Alembic revision), or null. */
  refusal: string | null;
}

export class AdoptionRefused extends Error {}

async function alembicRevision(db: Db): Promise<{ present: boolean; revision: string | null }> {
  if (!(await db.schema.hasTable('alembic_version'))) return { present: false, revision: null };
  const rows = (await db('alembic_version').select('version_num')) as { version_num: string }[];
  return { present: true, revision: rows.length === 1 ? rows[0]!.version_num : null };
}

function refusalFor(revision: string | null): string | null {
  if (revision === ALEMBIC_HEAD) return null;
  if (revision === null) return 'the alembic_version table of this cornflow database is empty or has several rows; cornflow-ts cannot tell its schema';
  return `this cornflow database is at Alembic revision ${revision}, cornflow-ts adopts only ${ALEMBIC_HEAD} (cornflow 1.3.6): upgrade it with the Flask cornflow first (flask db upgrade / cornflow migrations -u), then start cornflow-ts`;
}

/** Looks at the database without changing anything. */
export async function inspectDatabase(db: Db, migrationNames: string[]): Promise<DatabaseInspection> {
  const { present, revision } = await alembicRevision(db);
  const managed = await db.schema.hasTable(MIGRATIONS_TABLE);
  const applied = managed ? ((await db(MIGRATIONS_TABLE).select('name')) as { name: string }[]).map((r) => r.name) : [];
  const adopted = present && applied.includes(BASELINE_MIGRATION);
  const recordBaseline = present && !applied.includes(BASELINE_MIGRATION);
  const done = new Set(recordBaseline ? [...applied, BASELINE_MIGRATION] : applied);
  return {
    cornflow: present,
    alembicRevision: revision,
    adopted,
    managed,
    recordBaseline,
    pending: migrationNames.filter((n) => !done.has(n)),
    // Once adopted, the Alembic revision no longer matters to us (the Flask server may move on).
    refusal: present && !adopted ? refusalFor(revision) : null,
  };
}

/**
 * When `db` is a cornflow database not yet adopted: refuses unknown revisions (AdoptionRefused), otherwise
 * records the baseline as applied (knex creates its own tables; cornflow's tables are not touched).
 * Returns true when the baseline was recorded now.
 */
export async function adoptCornflowDatabase(db: Db, migrationNames: string[]): Promise<boolean> {
  const state = await inspectDatabase(db, migrationNames);
  if (state.refusal) throw new AdoptionRefused(state.refusal);
  if (!state.recordBaseline) return false;
  // knex creates cornflow_ts_migrations (+ _lock) the way it expects them.
  await db.migrate.list();
  await db(MIGRATIONS_TABLE).insert({ name: BASELINE_MIGRATION, batch: 1, migration_time: new Date() });
  return true;
}
