// Cases: instances with their solutions, kept in a tree of directories (cornflow-api.md §2.8). Data, checks,
// solutions and KPIs are stored losslessly and hashed as cornflow hashes them (§3.2).
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import * as store from '../storage/cases.js';
import type { CaseDataRow, CaseRow, NewCase } from '../storage/cases.js';
import { findInstanceData } from '../storage/instances.js';
import type { ListFilters } from '../storage/data-lists.js';
import { toWire } from '../storage/time.js';
import { RawJson, pyRepr } from '../api/wire.js';
import { ownerScope, type OwnerScope } from './ownership.js';
import { requireDagPermission } from './dag-access.js';
import { validateAppData, validationApp } from './app-schemas.js';
import { compareCodePoints, dataHashAsync, JsonNumber, parseLossless, pyFloatRepr, rawJsonText, toPlain, type JsonValue, type LosslessJson } from './json-hash.js';
import { losslessField, losslessTree, type ExactBody } from './lossless-body.js';
import { insertNew, type DataContext } from './instances.js';
import { InvalidData, InvalidPatch, InvalidUsage, ObjectDoesNotExist } from './errors.js';

export const CASE_MESSAGES = {
  parentMissing: 'Parent does not exist',
  parentNotDir: 'Parent cannot be a case',
  oneSource: 'You must provide a valid instance_id OR an execution_id',
  instanceMissing: 'Instance does not exist.',
  executionMissing: 'Execution does not exist.',
  moveTargetMissing: 'The data entity does not exist on the database.',
  moveTargetNotDir: 'The new parent is not a directory',
  moveCycle: 'A case cannot be moved into itself or one of its descendants',
  sameIds: 'The case identifiers should be different.',
  firstMissing: "You don't have access to the first case or it doesn't exist",
  secondMissing: "You don't have access to the second case or it doesn't exist",
  schemasDiffer: 'The cases asked to compare do not share the same schema',
} as const;

// ---------------------------------------------------------------------------------------------------------
// Wire shapes

/** CaseListResponse: the seven data-object keys, then solution_hash, path, updated_at, is_dir. */
export function caseToWire(row: CaseRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    created_at: toWire(row.created_at)!,
    user_id: row.user_id,
    data_hash: row.data_hash,
    schema: row.schema,
    solution_hash: row.solution_hash,
    path: row.path,
    updated_at: toWire(row.updated_at)!,
    is_dir: row.is_dir,
  };
}

export function caseListItemToWire(row: CaseRow) {
  return { ...caseToWire(row), indicators: indicatorsText(row.indicators) };
}

function caseDataToWire(row: CaseDataRow) {
  const raw = (t: string | null) => new RawJson(t ?? 'null');
  return {
    ...caseListItemToWire(row),
    data: raw(row.data),
    checks: raw(row.checks),
    solution: raw(row.solution),
    solution_checks: raw(row.solution_checks),
    kpis: raw(row.kpis),
  };
}

/** Python's str() of a JSON value (as an f-string prints it). */
function pythonStr(v: LosslessJson): string {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) {
    if (v.isInteger) return BigInt(v.lexeme).toString();
    const x = Number(v.lexeme);
    return x !== x ? 'nan' : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : pyFloatRepr(x);
  }
  return pyRepr(toPlain(v as JsonValue));
}

/** cornflow's indicators from a whole solution (JSON text). */
export function indicators(solutionText: string | null): string {
  if (solutionText === null) return '';
  let solution: LosslessJson;
  try {
    solution = parseLossless(solutionText);
  } catch {
    return '';
  }
  if (!isObject(solution) || !Object.prototype.hasOwnProperty.call(solution, 'indicators')) return '';
  return indicatorsOf(solution.indicators!);
}

/** cornflow's indicators from the JSON text of `solution.indicators` (as storage reads it). */
export function indicatorsText(text: string | null): string {
  if (text === null) return '';
  try {
    return indicatorsOf(parseLossless(text));
  } catch {
    return '';
  }
}

/** " k: v;" for each key, sorted, without the first and last character. */
function indicatorsOf(temp: LosslessJson): string {
  if (!isObject(temp)) return '';
  const text = Object.keys(temp)
    .sort(compareCodePoints)
    .map((k) => ` ${k}: ${pythonStr(temp[k]!)};`)
    .join('');
  return text.slice(1, -1);
}

const isObject = (v: unknown): v is { [key: string]: LosslessJson } => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);

// ---------------------------------------------------------------------------------------------------------
// Helpers

async function scope(ctx: DataContext): Promise<OwnerScope> {
  return ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
}

async function stored(value: JsonValue | undefined | null): Promise<{ text: string | null; hash: string }> {
  const v = value === undefined ? null : value;
  return { text: v === null ? null : rawJsonText(v as JsonValue), hash: await dataHashAsync(v as JsonValue) };
}

async function storedText(text: string | null): Promise<{ text: string | null; hash: string }> {
  return stored(text === null ? null : parseLossless(text));
}

const optionalText = (v: JsonValue | undefined | null): string | null => (v === undefined || v === null ? null : rawJsonText(v as JsonValue));

/** The path of a new child of `parentId` (cornflow's CaseModel.from_parent_id). */
async function childPath(ctx: DataContext, sc: OwnerScope, parentId: number | null | undefined): Promise<string> {
  if (parentId === null || parentId === undefined) return '';
  const parent = await store.findCase(ctx.db, sc, parentId);
  if (!parent) throw new ObjectDoesNotExist(CASE_MESSAGES.parentMissing);
  if (!parent.is_dir) throw new InvalidData(CASE_MESSAGES.parentNotDir);
  return `${parent.path}${parent.id}/`;
}

async function requireCase(ctx: DataContext, id: number, message?: string): Promise<CaseRow> {
  const row = await store.findCase(ctx.db, await scope(ctx), id);
  if (!row) throw new ObjectDoesNotExist(message);
  return row;
}

async function requireCaseData(ctx: DataContext, id: number, message?: string): Promise<CaseDataRow> {
  const row = await store.findCaseData(ctx.db, await scope(ctx), id);
  if (!row) throw new ObjectDoesNotExist(message);
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// Reads

export async function listCases(ctx: DataContext, filters: ListFilters) {
  // Case ids are integers: an `id` filter that is not one matches nothing (PostgreSQL would refuse the cast).
  if (filters.id !== undefined && !/^\d{1,15}$/.test(String(filters.id))) return [];
  return (await store.listCases(ctx.db, await scope(ctx), filters)).map(caseListItemToWire);
}

export async function getCase(ctx: DataContext, id: number) {
  return caseListItemToWire(await requireCase(ctx, id));
}

export async function getCaseData(ctx: DataContext, id: number) {
  return caseDataToWire(await requireCaseData(ctx, id));
}

// ---------------------------------------------------------------------------------------------------------
// Creation

export interface NewCaseInput {
  name: string;
  schema: string;
  description?: string;
  parent_id?: number | null;
  data?: unknown;
  checks?: unknown;
  solution?: unknown;
  solution_checks?: unknown;
  kpis?: unknown;
}

/** POST /case/: [dagperm], data and solution validated against the app (no pulp alias), parent rules, insert. */
export async function createCase(ctx: DataContext, input: NewCaseInput, lossless: ExactBody | undefined) {
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, input.schema);
  if (input.data !== undefined && input.data !== null) await validateAppData(ctx.db, input.schema, 'instance', input.data);
  if (input.solution !== undefined && input.solution !== null) await validateAppData(ctx.db, input.schema, 'solution', input.solution);
  const sc = await scope(ctx);
  const path = await childPath(ctx, sc, input.parent_id);
  const field = (key: keyof NewCaseInput) => (input[key] === undefined ? undefined : losslessField(lossless, input[key], key));
  const data = await stored(field('data'));
  const solution = await stored(field('solution'));
  const row = await store.insertCase(ctx.db, {
    name: input.name,
    description: input.description ?? null,
    path,
    schema: input.schema,
    user_id: ctx.userId,
    data: data.text,
    data_hash: data.hash,
    checks: optionalText(field('checks')),
    solution: solution.text,
    solution_hash: solution.hash,
    solution_checks: optionalText(field('solution_checks')),
    kpis: optionalText(field('kpis')),
  });
  return caseToWire(row);
}

export interface CaseFromInstanceInput {
  name: string;
  schema: string;
  description?: string;
  instance_id?: string;
  execution_id?: string;
  parent_id?: number | null;
}

/** POST /case/instance/: a case from an instance, or from an execution (its data becomes the solution). */
export async function createCaseFromInstance(ctx: DataContext, input: CaseFromInstanceInput) {
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, input.schema);
  if ((input.instance_id === undefined) === (input.execution_id === undefined)) throw new InvalidData(CASE_MESSAGES.oneSource);
  const sc = await scope(ctx);
  let instanceId = input.instance_id;
  let execution: store.ExecutionForCase | undefined;
  if (input.execution_id !== undefined) {
    execution = await store.findExecutionForCase(ctx.db, sc, input.execution_id);
    if (!execution) throw new ObjectDoesNotExist(CASE_MESSAGES.executionMissing);
    instanceId = execution.instance_id;
  }
  const instance = await findInstanceData(ctx.db, sc, instanceId!);
  if (!instance) throw new ObjectDoesNotExist(CASE_MESSAGES.instanceMissing);
  const path = await childPath(ctx, sc, input.parent_id);
  const data = await storedText(instance.data);
  const solution = await storedText(execution?.data ?? null);
  const row = await store.insertCase(ctx.db, {
    name: input.name,
    description: input.description ?? null,
    path,
    schema: instance.schema,
    user_id: ctx.userId,
    data: data.text,
    data_hash: data.hash,
    checks: nullIfJsonNull(instance.checks),
    solution: solution.text,
    solution_hash: solution.hash,
    solution_checks: nullIfJsonNull(execution?.checks ?? null),
    kpis: nullIfJsonNull(execution?.kpis ?? null),
  });
  return caseToWire(row);
}

const nullIfJsonNull = (t: string | null): string | null => (t === null || t.trim() === 'null' ? null : t);

/** POST /case/<id>/copy/: "Copy_<name>" at the root, everything else copied (hashes recomputed, as cornflow). */
export async function copyCase(ctx: DataContext, id: number) {
  const row = await requireCaseData(ctx, id);
  const data = await storedText(row.data);
  const solution = await storedText(row.solution);
  const copy: NewCase = {
    name: `Copy_${row.name}`,
    description: row.description,
    path: '',
    schema: row.schema,
    user_id: ctx.userId,
    data: data.text,
    data_hash: data.hash,
    checks: row.checks,
    solution: solution.text,
    solution_hash: solution.hash,
    solution_checks: row.solution_checks,
    kpis: row.kpis,
  };
  return caseToWire(await store.insertCase(ctx.db, copy));
}

/** POST /case/<id>/instance/: a new instance from the case's data, validated when the case has a schema. */
export async function createInstanceFromCase(ctx: DataContext, id: number) {
  const row = await requireCaseData(ctx, id);
  const value = parseLossless(row.data ?? 'null');
  if (row.schema !== null) await validateAppData(ctx.db, validationApp(row.schema), 'instance', toPlain(value as JsonValue));
  const instance = await insertNew(ctx, {
    name: `instance_from_${row.name}`,
    description: `Instance created from ${row.description ?? ''}`,
    schema: row.schema,
    data: { text: rawJsonText(value as JsonValue), hash: await dataHashAsync(value as JsonValue) },
    checks: null,
  });
  return { id: instance.id, schema: instance.schema };
}

// ---------------------------------------------------------------------------------------------------------
// Edits

export interface CaseEditInput {
  name?: string;
  description?: string;
  parent_id?: number | null;
}

/**
 * PUT /case/<id>/ (and /data/): rename and/or move. Unlike cornflow, the target must be one of the user's
 * directories and not the case itself or a descendant, and the owner does not change.
 */
export async function updateCase(ctx: DataContext, id: number, edit: CaseEditInput): Promise<void> {
  const sc = await scope(ctx);
  const moving = edit.parent_id !== undefined && edit.parent_id !== 0;
  const row = await store.findCase(ctx.db, sc, id);
  if (!row) throw new ObjectDoesNotExist(moving ? CASE_MESSAGES.moveTargetMissing : undefined);
  let move: store.CaseEdit['move'];
  if (moving) {
    let to = '';
    if (edit.parent_id !== null) {
      const parent = await store.findCase(ctx.db, sc, edit.parent_id!);
      if (!parent) throw new ObjectDoesNotExist(CASE_MESSAGES.moveTargetMissing);
      if (parent.id === row.id || parent.path.startsWith(`${row.path}${row.id}/`)) throw new InvalidData(CASE_MESSAGES.moveCycle);
      if (!parent.is_dir) throw new InvalidData(CASE_MESSAGES.moveTargetNotDir);
      to = `${parent.path}${parent.id}/`;
    }
    move = { from: row.path, to };
  }
  if (!(await store.updateCase(ctx.db, id, { name: edit.name, description: edit.description, move }))) throw new ObjectDoesNotExist();
}

/** DELETE /case/<id>/ (and /data/): the case and its whole subtree, in one transaction. */
export async function deleteCase(ctx: DataContext, id: number): Promise<void> {
  const row = await requireCase(ctx, id);
  if (!(await store.deleteCaseTree(ctx.db, row))) throw new ObjectDoesNotExist();
}

export interface CasePatchInput {
  data_patch?: unknown[];
  solution_patch?: unknown[];
}

/** Applies RFC 6902 operations to a lossless document; anything that does not apply is InvalidPatch. */
export function applyJsonPatch(document: LosslessJson, operations: LosslessJson): LosslessJson {
  if (!Array.isArray(operations)) throw new InvalidPatch();
  try {
    const ops = operations as unknown as Operation[];
    return jsonpatch.applyPatch(document, ops, true, true, true).newDocument as LosslessJson;
  } catch {
    throw new InvalidPatch();
  }
}

/** PATCH /case/<id>/data/: both patches applied first, then written at once (a failure changes nothing). */
export async function patchCaseData(ctx: DataContext, id: number, input: CasePatchInput, lossless: ExactBody | undefined): Promise<void> {
  const row = await requireCaseData(ctx, id);
  const changes: store.CaseDataChanges = {};
  if (input.data_patch !== undefined) {
    const patched = applyJsonPatch(parseLossless(row.data ?? 'null'), losslessTree(lossless, input.data_patch, 'data_patch'));
    changes.data = { text: rawJsonText(patched as JsonValue), hash: await dataHashAsync(patched as JsonValue) };
  }
  if (input.solution_patch !== undefined) {
    const patched = applyJsonPatch(parseLossless(row.solution ?? 'null'), losslessTree(lossless, input.solution_patch, 'solution_patch'));
    changes.solution = { text: rawJsonText(patched as JsonValue), hash: await dataHashAsync(patched as JsonValue) };
  }
  if (!(await store.patchCase(ctx.db, id, changes))) throw new ObjectDoesNotExist();
}

// ---------------------------------------------------------------------------------------------------------
// Compare

const TRUTHY = new Set(['t', 'true', 'on', 'y', 'yes', '1']);
const FALSY = new Set(['f', 'false', 'off', 'n', 'no', '0']);

/** marshmallow's fields.Boolean on a query value (default true). */
function queryFlag(name: string, value: unknown): boolean {
  if (value === undefined) return true;
  const s = String(value);
  if (TRUTHY.has(s.toLowerCase()) && (s === s.toLowerCase() || s === s.toUpperCase() || s === s[0]!.toUpperCase() + s.slice(1))) return true;
  if (FALSY.has(s.toLowerCase()) && (s === s.toLowerCase() || s === s.toUpperCase() || s === s[0]!.toUpperCase() + s.slice(1))) return false;
  throw new InvalidUsage(pyRepr({ query: { [name]: ['Not a valid boolean.'] } }));
}

export interface PatchOp {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: LosslessJson;
}

const pointer = (path: string, key: string | number) => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Python's `==` on JSON values (1 == 1.0, True == 1). */
function pyEqual(a: LosslessJson, b: LosslessJson): boolean {
  const num = (v: LosslessJson): number | undefined => (v instanceof JsonNumber ? Number(v.lexeme) : typeof v === 'boolean' ? Number(v) : undefined);
  const na = num(a);
  const nb = num(b);
  if (na !== undefined || nb !== undefined) {
    if (a instanceof JsonNumber && b instanceof JsonNumber && a.isInteger && b.isInteger) return BigInt(a.lexeme) === BigInt(b.lexeme);
    return na !== undefined && nb !== undefined && na === nb;
  }
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEqual(x, b[i]!));
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEqual(a[k]!, b[k]!));
  }
  return a === b;
}

/**
 * python-jsonpatch's make_patch (DiffBuilder) without its move detection: dicts give remove / add / recursive
 * compare, lists compare index by index, and a remove followed by an add at the same path is a replace.
 */
export function makePatch(src: LosslessJson, dst: LosslessJson): PatchOp[] {
  const ops: PatchOp[] = [];
  const removed = (path: string, key: string | number) => ops.push({ op: 'remove', path: pointer(path, key) });
  const added = (path: string, key: string | number, value: LosslessJson) => {
    const at = pointer(path, key);
    const last = ops[ops.length - 1];
    if (last && last.op === 'remove' && last.path === at) ops[ops.length - 1] = { op: 'replace', path: at, value };
    else ops.push({ op: 'add', path: at, value });
  };
  const dicts = (path: string, a: { [k: string]: LosslessJson }, b: { [k: string]: LosslessJson }) => {
    for (const k of Object.keys(a)) if (!Object.prototype.hasOwnProperty.call(b, k)) removed(path, k);
    for (const k of Object.keys(b)) if (!Object.prototype.hasOwnProperty.call(a, k)) added(path, k, b[k]!);
    for (const k of Object.keys(a)) if (Object.prototype.hasOwnProperty.call(b, k)) values(path, k, a[k]!, b[k]!);
  };
  const lists = (path: string, a: LosslessJson[], b: LosslessJson[]) => {
    const max = Math.max(a.length, b.length);
    const min = Math.min(a.length, b.length);
    for (let i = 0; i < max; i++) {
      if (i < min) {
        const [x, y] = [a[i]!, b[i]!];
        if (pyEqual(x, y)) continue;
        if (isObject(x) && isObject(y)) dicts(pointer(path, i), x, y);
        else if (Array.isArray(x) && Array.isArray(y)) lists(pointer(path, i), x, y);
        else {
          removed(path, i);
          added(path, i, y);
        }
      } else if (a.length > b.length) removed(path, b.length);
      else added(path, i, b[i]!);
    }
  };
  const values = (path: string, key: string, x: LosslessJson, y: LosslessJson) => {
    if (isObject(x) && isObject(y)) dicts(pointer(path, key), x, y);
    else if (Array.isArray(x) && Array.isArray(y)) lists(pointer(path, key), x, y);
    else if (rawJsonText(x as JsonValue) !== rawJsonText(y as JsonValue)) ops.push({ op: 'replace', path: pointer(path, key), value: y });
  };
  if (isObject(src) && isObject(dst)) dicts('', src, dst);
  else if (Array.isArray(src) && Array.isArray(dst)) lists('', src, dst);
  else if (rawJsonText(src as JsonValue) !== rawJsonText(dst as JsonValue)) ops.push({ op: 'replace', path: '', value: dst });
  return ops;
}

const opToWire = (op: PatchOp): { op: string; path: string; value?: unknown } => (op.value === undefined ? { op: op.op, path: op.path } : { op: op.op, path: op.path, value: new RawJson(rawJsonText(op.value as JsonValue)) });

/** GET /case/<id1>/<id2>/: the patches that turn the first case's data / solution into the second's. */
export async function compareCases(ctx: DataContext, id1: number, id2: number, query: { data?: unknown; solution?: unknown }) {
  const withData = queryFlag('data', query.data);
  const withSolution = queryFlag('solution', query.solution);
  if (id1 === id2) throw new InvalidData(CASE_MESSAGES.sameIds);
  const sc = await scope(ctx);
  const first = await store.findCaseData(ctx.db, sc, id1);
  const second = await store.findCaseData(ctx.db, sc, id2);
  if (!first) throw new ObjectDoesNotExist(CASE_MESSAGES.firstMissing);
  if (!second) throw new ObjectDoesNotExist(CASE_MESSAGES.secondMissing);
  if (first.schema !== second.schema) throw new InvalidData(CASE_MESSAGES.schemasDiffer);
  const out: { data_patch?: ReturnType<typeof opToWire>[]; solution_patch?: ReturnType<typeof opToWire>[] } = {};
  const doc = (t: string | null) => parseLossless(t ?? 'null');
  if (withData) out.data_patch = makePatch(doc(first.data), doc(second.data)).map(opToWire);
  if (withSolution) out.solution_patch = makePatch(doc(first.solution), doc(second.solution)).map(opToWire);
  return out;
}
