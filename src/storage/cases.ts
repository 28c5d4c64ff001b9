// Queries on cases (a tree kept as materialised paths: `path` = the ancestors' ids, each followed by "/"), and
// the small execution read that POST /case/instance/ needs. JSON columns are written and read back as text.
import type { Knex } from 'knex';
import type { Db } from './db.js';
import { jsonText } from './db.js';
import type { OwnerScope } from '../domain/ownership.js';
import { applyListFilters, scoped, type ListFilters } from './data-lists.js';
import { nowStored } from './time.js';

export interface CaseRow {
  id: number;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  user_id: number;
  data_hash: string;
  schema: string | null;
  solution_hash: string;
  path: string;
  /** Whether `data` is SQL NULL or JSON null (a directory). */
  is_dir: boolean;
  /** JSON text of `solution.indicators` (null when absent), read without loading the whole solution. */
  indicators: string | null;
}

export interface CaseDataRow extends CaseRow {
  /** JSON texts (null: SQL NULL). */
  data: string | null;
  solution: string | null;
  checks: string | null;
  solution_checks: string | null;
  kpis: string | null;
}

const COLUMNS = ['id', 'name', 'description', 'created_at', 'updated_at', 'user_id', 'data_hash', 'schema', 'solution_hash', 'path'].map((c) => `cases.${c}`);
const DATA_COLUMNS = ['data', 'checks', 'solution', 'solution_checks', 'kpis'].map((c) => `cases.${c}`);

/**
 * The list columns plus `is_dir` and the indicators, computed by the database so that lists and GET /case/<id>/
 * never load data or solutions (which may be tens of megabytes). JSON text keeps the number lexemes on both
 * databases (PostgreSQL `json` is stored as text; SQLite's JSON functions keep number text).
 */
function baseColumns(db: Db | Knex.Transaction): (string | Knex.Raw)[] {
  const pg = db.client.config.client === 'pg';
  return [
    ...COLUMNS,
    db.raw("CASE WHEN cases.data IS NULL OR CAST(cases.data AS TEXT) = 'null' THEN 1 ELSE 0 END AS is_dir"),
    pg
      ? db.raw("CASE WHEN json_typeof(cases.solution) = 'object' THEN (cases.solution -> 'indicators')::text END AS indicators")
      : db.raw("CASE WHEN json_type(cases.solution, '$.indicators') = 'object' THEN json_extract(cases.solution, '$.indicators') END AS indicators"),
  ];
}


function mapCase(r: Record<string, unknown>): CaseRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    description: (r.description as string | null) ?? null,
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    user_id: Number(r.user_id),
    data_hash: String(r.data_hash),
    schema: (r.schema as string | null) ?? null,
    solution_hash: String(r.solution_hash),
    path: String(r.path ?? ''),
    is_dir: Number(r.is_dir) === 1 || r.is_dir === true,
    indicators: jsonText(r.indicators),
  };
}

function mapCaseData(r: Record<string, unknown>): CaseDataRow {
  return { ...mapCase(r), data: jsonText(r.data), checks: jsonText(r.checks), solution: jsonText(r.solution), solution_checks: jsonText(r.solution_checks), kpis: jsonText(r.kpis) };
}

export async function listCases(db: Db, scope: OwnerScope, filters: ListFilters): Promise<CaseRow[]> {
  const q = scoped(db('cases').select(baseColumns(db)), scope, 'cases');
  if (!applyListFilters(q, filters, 'cases')) return [];
  return (await q).map(mapCase);
}

export async function findCase(db: Db | Knex.Transaction, scope: OwnerScope, id: number): Promise<CaseRow | undefined> {
  const row = await scoped(db('cases').select(baseColumns(db)).where('cases.id', id), scope, 'cases').first();
  return row ? mapCase(row) : undefined;
}

export async function findCaseData(db: Db | Knex.Transaction, scope: OwnerScope, id: number): Promise<CaseDataRow | undefined> {
  const row = await scoped(db('cases').select([...baseColumns(db), ...DATA_COLUMNS]).where('cases.id', id), scope, 'cases').first();
  return row ? mapCaseData(row) : undefined;
}

export interface NewCase {
  name: string;
  description: string | null;
  path: string;
  schema: string | null;
  user_id: number;
  /** JSON texts; `data` null for a directory. */
  data: string | null;
  data_hash: string;
  checks: string | null;
  solution: string | null;
  solution_hash: string;
  solution_checks: string | null;
  kpis: string | null;
}

/** Inserts a case and returns it as stored. */
export async function insertCase(db: Db, row: NewCase): Promise<CaseRow> {
  const now = nowStored();
  const [inserted] = await db('cases').insert({ ...row, created_at: now, updated_at: now }).returning('id');
  const id = Number(typeof inserted === 'object' && inserted !== null ? (inserted as { id: unknown }).id : inserted);
  return mapCase({ ...row, id, created_at: now, updated_at: now, is_dir: row.data === null ? 1 : 0, indicators: null });
}

export interface CaseEdit {
  name?: string;
  description?: string;
  /** A move: the case's new path (its descendants follow). */
  move?: { from: string; to: string };
}

/** Renames and/or moves a case (rewriting its subtree's paths) in one transaction. */
export async function updateCase(db: Db, id: number, edit: CaseEdit): Promise<boolean> {
  return db.transaction(async (trx) => {
    const now = nowStored();
    const values: Record<string, unknown> = { updated_at: now };
    if (edit.name !== undefined) values.name = edit.name;
    if (edit.description !== undefined) values.description = edit.description;
    if (edit.move) {
      values.path = edit.move.to;
      const prefix = `${edit.move.from}${id}/`;
      const descendants = await trx('cases').select('id', 'path').where('path', 'like', `${prefix}%`).whereNull('deleted_at');
      const newPrefix = `${edit.move.to}${id}/`;
      for (const d of descendants as { id: number; path: string }[]) {
        if (!d.path.startsWith(prefix)) continue;
        await trx('cases').where({ id: d.id }).update({ path: newPrefix + d.path.slice(prefix.length), updated_at: now });
      }
    }
    return (await trx('cases').where({ id }).whereNull('deleted_at').update(values)) > 0;
  });
}

export interface CaseDataChanges {
  data?: { text: string; hash: string };
  solution?: { text: string; hash: string };
}

/** Writes patched data/solution and clears what they invalidate (as cornflow's CaseModel.patch). */
export async function patchCase(db: Db, id: number, changes: CaseDataChanges): Promise<boolean> {
  const values: Record<string, unknown> = { updated_at: nowStored() };
  if (changes.data) Object.assign(values, { data: changes.data.text, data_hash: changes.data.hash, checks: null, solution_checks: null, kpis: null });
  if (changes.solution) Object.assign(values, { solution: changes.solution.text, solution_hash: changes.solution.hash, solution_checks: null, kpis: null });
  return (await db('cases').where({ id }).whereNull('deleted_at').update(values)) > 0;
}

/** Deletes a case and every case under it, in one transaction. */
export async function deleteCaseTree(db: Db, row: Pick<CaseRow, 'id' | 'path'>): Promise<boolean> {
  return db.transaction(async (trx) => {
    await trx('cases').where('path', 'like', `${row.path}${row.id}/%`).del();
    return (await trx('cases').where({ id: row.id }).del()) > 0;
  });
}

export interface ExecutionForCase {
  instance_id: string;
  /** JSON texts. */
  data: string | null;
  checks: string | null;
  kpis: string | null;
}

/** The solution side of an execution (its data, checks and KPIs), within the owner scope. */
export async function findExecutionForCase(db: Db, scope: OwnerScope, id: string): Promise<ExecutionForCase | undefined> {
  const row = await scoped(db('executions').select('executions.instance_id', 'executions.data', 'executions.checks', 'executions.kpis').where('executions.id', id), scope, 'executions').first();
  return row ? { instance_id: String(row.instance_id), data: jsonText(row.data), checks: jsonText(row.checks), kpis: jsonText(row.kpis) } : undefined;
}
