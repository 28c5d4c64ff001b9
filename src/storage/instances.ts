// Queries on instances (and the executions listed with them). JSON columns are written as text and read
// back as text, so the data goes back on the wire verbatim.
import type { Db } from './db.js';
import { jsonText, jsonTextParam, type JsonTextValue } from './db.js';
import type { OwnerScope } from '../domain/ownership.js';
import { listPageSql, scoped, type ListFilters } from './data-lists.js';
import { selectRows } from './fast-query.js';
import { nowStored } from './time.js';

export interface InstanceRow {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  user_id: number;
  data_hash: string;
  schema: string | null;
}

export interface InstanceDataRow extends InstanceRow {
  /** JSON text. */
  data: string | null;
  /** JSON text. */
  checks: string | null;
}

export interface ExecutionBasicRow {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
  user_id: number;
  data_hash: string;
  schema: string | null;
  /** JSON text. */
  config: string;
  instance_id: string;
  state: number;
  state_message: string | null;
}

const LIST_COLUMNS = ['id', 'name', 'description', 'created_at', 'updated_at', 'user_id', 'data_hash', 'schema'].map((c) => `instances.${c}`);


function mapInstance(r: Record<string, unknown>): InstanceRow {
  return {
    id: String(r.id),
    name: String(r.name),
    description: (r.description as string | null) ?? null,
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    user_id: Number(r.user_id),
    data_hash: String(r.data_hash),
    schema: (r.schema as string | null) ?? null,
  };
}

export async function listInstances(db: Db, scope: OwnerScope, filters: ListFilters): Promise<InstanceRow[]> {
  // Every GET /instance/: fixed SQL (src/storage/fast-query.ts).
  const page = listPageSql('instances', LIST_COLUMNS, scope, filters);
  return page ? (await selectRows<Record<string, unknown>>(db, page.sql, page.bindings)).map(mapInstance) : [];
}

export async function findInstance(db: Db, scope: OwnerScope, id: string): Promise<InstanceRow | undefined> {
  const row = await scoped(db('instances').select(LIST_COLUMNS).where('instances.id', id), scope, 'instances').first();
  return row ? mapInstance(row) : undefined;
}

export async function findInstanceData(db: Db, scope: OwnerScope, id: string): Promise<InstanceDataRow | undefined> {
  const row = await scoped(db('instances').select([...LIST_COLUMNS, 'instances.data', 'instances.checks']).where('instances.id', id), scope, 'instances').first();
  return row ? { ...mapInstance(row), data: jsonText(row.data), checks: jsonText(row.checks) } : undefined;
}

export interface NewInstance {
  id: string;
  name: string;
  description: string | null;
  data: JsonTextValue;
  checks: string | null;
  data_hash: string;
  schema: string | null;
  user_id: number;
  created_at: string;
}

/**
 * Inserts a new instance; false (and nothing written) when its id is taken. The conflict is on the id alone,
 * so every other constraint failure still throws; DO NOTHING instead of an error keeps a surrounding
 * PostgreSQL transaction usable.
 */
export async function insertInstance(db: Db, row: NewInstance): Promise<boolean> {
  const inserted = await db('instances')
    .insert({ ...row, data: jsonTextParam(db, row.data), updated_at: row.created_at })
    .onConflict('id')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

export interface InstanceChanges {
  name?: string;
  description?: string;
  /** New data (JSON text) with its hash; clears the checks of the instance and of its executions. */
  data?: { text: JsonTextValue; hash: string };
}

/** Applies the changes in one transaction; returns false when the instance is gone. */
export async function updateInstance(db: Db, id: string, changes: InstanceChanges): Promise<boolean> {
  return db.transaction(async (trx) => {
    const now = nowStored();
    const values: Record<string, unknown> = { updated_at: now };
    if (changes.name !== undefined) values.name = changes.name;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.data !== undefined) {
      values.data = jsonTextParam(trx, changes.data.text);
      values.data_hash = changes.data.hash;
      values.checks = null;
      await trx('executions').where({ instance_id: id }).whereNull('deleted_at').update({ checks: null, updated_at: now });
    }
    return (await trx('instances').where({ id }).whereNull('deleted_at').update(values)) > 0;
  });
}

/** Deletes the instance and its executions in one transaction. */
export async function deleteInstance(db: Db, id: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    await trx('executions').where({ instance_id: id }).del();
    return (await trx('instances').where({ id }).del()) > 0;
  });
}

/** The non-deleted executions of an instance, oldest first. */
export async function executionsOfInstance(db: Db, instanceId: string): Promise<ExecutionBasicRow[]> {
  const rows = await db('executions')
    .select('id', 'name', 'description', 'created_at', 'user_id', 'data_hash', 'schema', 'config', 'instance_id', 'state', 'state_message')
    .where({ instance_id: instanceId })
    .whereNull('deleted_at')
    .orderBy('created_at');
  return rows.map((r: Record<string, unknown>) => ({
    id: String(r.id),
    name: String(r.name),
    description: (r.description as string | null) ?? null,
    created_at: String(r.created_at),
    user_id: Number(r.user_id),
    data_hash: String(r.data_hash),
    schema: (r.schema as string | null) ?? null,
    config: jsonText(r.config) ?? 'null',
    instance_id: String(r.instance_id),
    state: Number(r.state),
    state_message: (r.state_message as string | null) ?? null,
  }));
}
