// Instances: the input data of a problem, validated against its app's instance schema, kept losslessly and
// hashed as cornflow hashes it (cornflow-api.md §2.4, §3).
import type { Config } from '../config.js';
import type { Db } from '../storage/db.js';
import * as store from '../storage/instances.js';
import type { ExecutionBasicRow, InstanceRow } from '../storage/instances.js';
import type { ListFilters } from '../storage/data-lists.js';
import { toWire } from '../storage/time.js';
import { RawJson } from '../api/wire.js';
import { ownerScope } from './ownership.js';
import { requireDagPermission } from './dag-access.js';
import { validateAppData, validationApp } from './app-schemas.js';
import { createWithFreshId, objectId } from './ids.js';
import { collectAfterLargeBody, LARGE_BODY_BYTES } from './memory.js';
import { dataHashAsync, rawJsonBytes, rawJsonText, type JsonValue, type LosslessJson } from './json-hash.js';
import { bodySize, losslessField, releaseField, releaseStored, type ExactBody } from './lossless-body.js';
import { ObjectDoesNotExist } from './errors.js';

export interface DataContext {
  db: Db;
  config: Config;
  userId: number;
  /** The requester's roles, when the request's permission check read them (saves the [own] scope a query). */
  roles?: readonly number[];
}

type DataObjectRow = Pick<InstanceRow, 'id' | 'name' | 'description' | 'created_at' | 'user_id' | 'data_hash' | 'schema'>;

/** The seven keys every data object (instance, execution, case) starts with, in cornflow's order. */
function dataObjectToWire(row: DataObjectRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    created_at: toWire(row.created_at)!,
    user_id: row.user_id,
    data_hash: row.data_hash,
    schema: row.schema,
  };
}

export function instanceToWire(row: InstanceRow) {
  return dataObjectToWire(row);
}

export function executionBasicToWire(row: ExecutionBasicRow) {
  return {
    ...dataObjectToWire(row),
    config: new RawJson(row.config),
    instance_id: row.instance_id,
    state: row.state,
    message: row.state_message,
  };
}

async function detail(db: Db, row: InstanceRow) {
  return { ...instanceToWire(row), executions: (await store.executionsOfInstance(db, row.id)).map(executionBasicToWire) };
}

export async function listInstances(ctx: DataContext, filters: ListFilters) {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  return (await store.listInstances(ctx.db, scope, filters)).map(instanceToWire);
}

export async function getInstance(ctx: DataContext, id: string) {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  const row = await store.findInstance(ctx.db, scope, id);
  if (!row) throw new ObjectDoesNotExist();
  return detail(ctx.db, row);
}

export async function getInstanceData(ctx: DataContext, id: string) {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  const row = await store.findInstanceData(ctx.db, scope, id);
  if (!row) throw new ObjectDoesNotExist();
  return { ...instanceToWire(row), data: new RawJson(row.data ?? 'null'), checks: new RawJson(row.checks ?? 'null') };
}

export interface NewInstanceInput {
  name: string;
  description?: string;
  /** Parsed by JSON.parse (for validation); the stored form comes from `lossless`. */
  data: unknown;
  checks?: unknown;
  schema?: string;
}

/** Stores validated data: hashes and serialises the lossless value (large texts as bytes, see rawJsonBytes). */
async function storedData(value: JsonValue, size = 0): Promise<{ text: string | Buffer; hash: string }> {
  const hash = await dataHashAsync(value);
  if (size < LARGE_BODY_BYTES) return { hash, text: rawJsonText(value) };
  // The hash's garbage (sorted key lists) is collected before the stored bytes are added next to the tree.
  collectAfterLargeBody(size);
  return { hash, text: rawJsonBytes(value) };
}

/**
 * POST /instance/: [dagperm], validation against the app named by `schema` (solve_model_dag when absent, pulp
 * aliased), then insert. The stored `schema` is the value sent (null when absent), as in cornflow.
 */
export async function createInstance(ctx: DataContext, input: NewInstanceInput, lossless: ExactBody | undefined) {
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, input.schema);
  await validateAppData(ctx.db, validationApp(input.schema), 'instance', input.data);
  const size = bodySize(lossless);
  const data = await storedData(losslessField(lossless, input.data, 'data'), size);
  const checks = input.checks === undefined || input.checks === null ? null : rawJsonText(losslessField(lossless, input.checks, 'checks'));
  // The tree is no longer needed: let it be collected before the text goes to the database.
  releaseField(lossless, 'data', data.text.length);
  const created = await insertNew(ctx, { name: input.name, description: input.description ?? null, schema: input.schema ?? null, data, checks });
  releaseStored(data, size);
  return created;
}

/** Inserts an instance whose data is already checked (also used by /instancefile/). */
export async function insertNew(
  ctx: DataContext,
  input: { name: string; description: string | null; schema: string | null; data: { text: string | Buffer; hash: string }; checks: string | null },
) {
  const row = await createWithFreshId(
    (created): store.NewInstance => ({
      id: objectId(created, ctx.userId),
      name: input.name,
      description: input.description,
      data: input.data.text,
      checks: input.checks,
      data_hash: input.data.hash,
      schema: input.schema,
      user_id: ctx.userId,
      created_at: created.stored,
    }),
    (r) => store.insertInstance(ctx.db, r),
  );
  return { ...instanceToWire({ ...row, updated_at: row.created_at }), executions: [] };
}

export { storedData };

export interface InstanceEdit {
  name?: string;
  description?: string;
  data?: unknown;
}

/**
 * PUT /instance/<id>/. Unlike cornflow: a missing or not-owned id is 404 (not 500), the owner does not change,
 * new data is rehashed, and under closed deployment the app checked is the instance's own `schema`.
 */
export async function updateInstance(ctx: DataContext, id: string, edit: InstanceEdit, lossless: ExactBody | undefined): Promise<void> {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  const row = await store.findInstance(ctx.db, scope, id);
  if (!row) throw new ObjectDoesNotExist();
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, row.schema);
  let data: { text: string | Buffer; hash: string } | undefined;
  const size = bodySize(lossless);
  if (edit.data !== undefined) {
    if (row.schema !== null) await validateAppData(ctx.db, validationApp(row.schema), 'instance', edit.data);
    data = await storedData(losslessField(lossless, edit.data, 'data'), size);
    releaseField(lossless, 'data', data.text.length);
  }
  const updated = await store.updateInstance(ctx.db, id, { name: edit.name, description: edit.description, data });
  releaseStored(data, size);
  if (!updated) throw new ObjectDoesNotExist();
}

/** DELETE /instance/<id>/: the instance and its executions, in one transaction. */
export async function deleteInstance(ctx: DataContext, id: string): Promise<void> {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  if (!(await store.findInstance(ctx.db, scope, id))) throw new ObjectDoesNotExist();
  if (!(await store.deleteInstance(ctx.db, id))) throw new ObjectDoesNotExist();
}
