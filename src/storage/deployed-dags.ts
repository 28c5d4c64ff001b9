// Queries on deployed_workflows (the apps, cornflow's deployed DAGs) and permission_dag (who may use them).
import type { Db } from './db.js';
import { nowStored } from './time.js';

export const SCHEMA_COLUMNS = ['instance_schema', 'solution_schema', 'config_schema', 'instance_checks_schema', 'solution_checks_schema', 'kpis_schema'] as const;
export type SchemaColumn = (typeof SCHEMA_COLUMNS)[number];

/** A deployed app as stored: the schema columns are JSON text (or null). */
export interface DagRow {
  id: string;
  description: string | null;
  instance_schema: string | null;
  solution_schema: string | null;
  config_schema: string | null;
  instance_checks_schema: string | null;
  solution_checks_schema: string | null;
  kpis_schema: string | null;
  updated_at: string;
}

const jsonText = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));

function mapDag(r: Record<string, unknown>): DagRow {
  const out = { id: String(r.id), description: (r.description as string | null) ?? null, updated_at: String(r.updated_at) } as DagRow;
  for (const c of SCHEMA_COLUMNS) out[c] = jsonText(r[c]);
  return out;
}

export async function listDags(db: Db): Promise<DagRow[]> {
  // Registration order: created_at, then the insertion order of the rows.
  const rows = await db('deployed_workflows').select('*').whereNull('deleted_at').orderBy('created_at');
  return rows.map(mapDag);
}

export async function findDag(db: Db, id: string): Promise<DagRow | undefined> {
  const row = await db('deployed_workflows').select('*').where({ id }).whereNull('deleted_at').first();
  return row ? mapDag(row) : undefined;
}

/** The app's updated_at, the key of the compiled-schema cache (undefined: no such app). */
export async function dagVersion(db: Db, id: string): Promise<string | undefined> {
  const row = await db('deployed_workflows').select('updated_at').where({ id }).whereNull('deleted_at').first();
  return row ? String(row.updated_at) : undefined;
}

export async function dagSchemaText(db: Db, id: string, column: SchemaColumn): Promise<string | null> {
  const row = await db('deployed_workflows').select(column).where({ id }).first();
  return row ? jsonText(row[column]) : null;
}

export async function dagExists(db: Db, id: string): Promise<boolean> {
  return (await db('deployed_workflows').select('id').where({ id }).first()) !== undefined;
}

/** Inserts an app; schema values are JSON text. */
export async function insertDag(db: Db, row: Omit<DagRow, 'updated_at'>, stamp: string = nowStored()): Promise<void> {
  await db('deployed_workflows').insert({ ...row, created_at: stamp, updated_at: stamp });
}

export async function updateDag(db: Db, id: string, values: Partial<Omit<DagRow, 'id' | 'updated_at'>>, stamp: string = nowStored()): Promise<number> {
  return db('deployed_workflows').where({ id }).whereNull('deleted_at').update({ ...values, updated_at: stamp });
}

/** The apps the user may use (permission_dag rows, in DB order). */
export async function dagIdsOfUser(db: Db, userId: number): Promise<string[]> {
  const rows = await db('permission_dag').select('dag_id').where({ user_id: userId }).whereNull('deleted_at').orderBy('id');
  return rows.map((r: { dag_id: string }) => r.dag_id);
}

export async function userHasDag(db: Db, userId: number, dagId: string): Promise<boolean> {
  return (await db('permission_dag').select('id').where({ user_id: userId, dag_id: dagId }).whereNull('deleted_at').first()) !== undefined;
}
