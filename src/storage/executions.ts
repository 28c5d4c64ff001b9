// Queries on executions. JSON columns are written as text and read back as text (sent verbatim).
import type { Db } from './db.js';
import type { OwnerScope } from '../domain/ownership.js';
import { applyListFilters, scoped, type ListFilters } from './data-lists.js';
import { boolColumn, jsonText } from './db.js';
import { nowStored, storedToMillis } from './time.js';

export interface ExecutionRow {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  user_id: number;
  data_hash: string;
  schema: string | null;
  /** JSON text. */
  config: string;
  instance_id: string;
  run_id: string | null;
  state: number;
  state_message: string | null;
  last_run_checks_and_kpis: boolean | null;
  checks_and_kpis_only: boolean | null;
  execution_files_status: number;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
}

export interface ExecutionFullRow extends ExecutionRow {
  data: string | null;
  checks: string | null;
  kpis: string | null;
  log_json: string | null;
  log_text: string | null;
}

const BASE = ['id', 'name', 'description', 'created_at', 'updated_at', 'user_id', 'data_hash', 'schema', 'config', 'instance_id', 'run_id', 'state', 'state_message', 'last_run_checks_and_kpis', 'checks_and_kpis_only', 'execution_files_status'].map((c) => `executions.${c}`);
const OWNER = ['users.username', 'users.first_name', 'users.last_name'];
const FULL = ['data', 'checks', 'kpis', 'log_json', 'log_text'].map((c) => `executions.${c}`);


function map(r: Record<string, unknown>): ExecutionRow {
  return {
    id: String(r.id),
    name: String(r.name),
    description: (r.description as string | null) ?? null,
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    user_id: Number(r.user_id),
    data_hash: String(r.data_hash),
    schema: (r.schema as string | null) ?? null,
    config: jsonText(r.config) ?? 'null',
    instance_id: String(r.instance_id),
    run_id: (r.run_id as string | null) ?? null,
    state: Number(r.state),
    state_message: (r.state_message as string | null) ?? null,
    last_run_checks_and_kpis: boolColumn(r.last_run_checks_and_kpis),
    checks_and_kpis_only: boolColumn(r.checks_and_kpis_only),
    execution_files_status: Number(r.execution_files_status ?? 0),
    username: (r.username as string | null) ?? null,
    first_name: (r.first_name as string | null) ?? null,
    last_name: (r.last_name as string | null) ?? null,
  };
}

function mapFull(r: Record<string, unknown>): ExecutionFullRow {
  return { ...map(r), data: jsonText(r.data), checks: jsonText(r.checks), kpis: jsonText(r.kpis), log_json: jsonText(r.log_json), log_text: (r.log_text as string | null) ?? null };
}

function base(db: Db, full: boolean) {
  return db('executions')
    .leftJoin('users', 'users.id', 'executions.user_id')
    .select([...BASE, ...OWNER, ...(full ? FULL : [])]);
}

/** A list item: the execution without its data, checks, kpis and text log (which may be megabytes), with its JSON log. */
export interface ExecutionListRow extends ExecutionRow {
  log_json: string | null;
}

export async function listExecutions(db: Db, scope: OwnerScope, filters: ListFilters & { checks_and_kpis?: boolean }): Promise<ExecutionListRow[]> {
  const q = scoped(base(db, false).select('executions.log_json'), scope, 'executions');
  if (!filters.checks_and_kpis) q.where((w) => w.whereNull('executions.checks_and_kpis_only').orWhere('executions.checks_and_kpis_only', false));
  if (!applyListFilters(q, filters, 'executions')) return [];
  return (await q).map((r: Record<string, unknown>) => ({ ...map(r), log_json: jsonText(r.log_json) }));
}

/** One execution in the scope (null scope: any non-deleted execution, for the service-side callbacks). */
export async function findExecution(db: Db, scope: OwnerScope | null, id: string): Promise<ExecutionFullRow | undefined> {
  const q = base(db, true).where('executions.id', id);
  if (scope) scoped(q, scope, 'executions');
  else q.whereNull('executions.deleted_at');
  const row = await q.first();
  return row ? mapFull(row) : undefined;
}

export interface NewExecution {
  id: string;
  name: string;
  description: string | null;
  schema: string | null;
  user_id: number;
  instance_id: string;
  config: string;
  data: string | null;
  data_hash: string;
  created_at: string;
  state: number;
  state_message: string;
  checks: string | null;
  kpis: string | null;
  log_text: string | null;
  log_json: string | null;
  checks_and_kpis_only: boolean | null;
}

/** Inserts a new execution; false (and nothing written) when its id is taken (see insertInstance). */
export async function insertExecution(db: Db, row: NewExecution): Promise<boolean> {
  const inserted = await db('executions')
    .insert({ ...row, updated_at: row.created_at, execution_files_status: 0 })
    .onConflict('id')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

/** Sets columns (JSON values already as text) and updated_at; false when the execution is gone. */
export async function updateExecution(db: Db, id: string, values: Record<string, unknown>): Promise<boolean> {
  return (await db('executions').where({ id }).whereNull('deleted_at').update({ ...values, updated_at: nowStored() })) > 0;
}

export async function deleteExecution(db: Db, id: string): Promise<boolean> {
  return (await db('executions').where({ id }).del()) > 0;
}

/** The instance an execution runs on (any owner; soft-deleted ones too, as cornflow's FK lookup). */
export async function instanceForExecution(db: Db, id: string): Promise<{ id: string; user_id: number; schema: string | null; data: string | null; name: string } | undefined> {
  const r = await db('instances').select('id', 'user_id', 'schema', 'data', 'name').where({ id }).first();
  return r ? { id: String(r.id), user_id: Number(r.user_id), schema: (r.schema as string | null) ?? null, data: jsonText(r.data), name: String(r.name) } : undefined;
}

export async function updateInstanceChecks(db: Db, id: string, checks: string): Promise<boolean> {
  return (await db('instances').where({ id }).whereNull('deleted_at').update({ checks, updated_at: nowStored() })) > 0;
}

/** PUT /dag/case/<id>/: a small query of its own (the /case/ routes live elsewhere). */
export async function updateCaseChecks(db: Db, id: number, values: Record<string, string | null>): Promise<boolean> {
  return (await db('cases').where({ id }).whereNull('deleted_at').update({ ...values, updated_at: nowStored() })) > 0;
}

/** When an execution (deleted or not) was last updated, in epoch ms; undefined when there is no such row. */
export async function executionUpdatedMillis(db: Db, id: string): Promise<number | undefined> {
  const row = await db('executions').select('updated_at').where({ id }).first();
  return row ? storedToMillis(row.updated_at) : undefined;
}

/** The execution files of an execution were removed by the clean-up: status −2 (cornflow's "deleted"). */
export async function markExecutionFilesDeleted(db: Db, id: string): Promise<void> {
  await db('executions').where({ id }).update({ execution_files_status: -2 });
}
