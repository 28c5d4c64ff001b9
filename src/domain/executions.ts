// Executions: create/launch, read, edit, stop, relaunch, status (cornflow-api.md §2.5, §3.9, §3.10).
// Differences from cornflow are listed in docs/compatibility.md (no row left behind by a failed create, …).
import type { Config } from '../config.js';
import type { Db } from '../storage/db.js';
import type { Orchestrator, ExecutionState } from '../orchestration/types.js';
import { OrchestratorError } from '../orchestration/types.js';
import * as store from '../storage/executions.js';
import type { ExecutionFullRow, ExecutionRow } from '../storage/executions.js';
import type { ListFilters } from '../storage/data-lists.js';
import { findInstance } from '../storage/instances.js';
import { dagSchemaText } from '../storage/deployed-dags.js';
import { toWire } from '../storage/time.js';
import { RawJson, pyRepr } from '../api/wire.js';
import { ownerScope } from './ownership.js';
import { requireDagPermission } from './dag-access.js';
import { appDataErrors, validationApp } from './app-schemas.js';
import { createWithFreshId, creationTime, objectId } from './ids.js';
import { dataHashAsync, rawJsonText, type JsonValue, type LosslessJson } from './json-hash.js';
import { losslessField, losslessTree, type ExactBody } from './lossless-body.js';
import { AppError, CommunicationError, InvalidData, InvalidUsage, NoPermission, ObjectDoesNotExist } from './errors.js';
import { STATE_MESSAGES, isActive } from './execution-states.js';
import { logJsonText } from './worker.js';
import { backendLabel } from '../orchestration/orchestrator.js';

export interface ExecContext {
  db: Db;
  config: Config;
  userId: number;
  /** The requester's roles, when the request's permission check read them. */
  roles?: readonly number[];
  orchestrator: Orchestrator;
}

const json = (text: string | null) => new RawJson(text ?? 'null');

function basicToWire(row: ExecutionRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    created_at: toWire(row.created_at)!,
    user_id: row.user_id,
    data_hash: row.data_hash,
    schema: row.schema,
    config: new RawJson(row.config),
    instance_id: row.instance_id,
    state: row.state,
    message: row.state_message,
  };
}

/** cornflow's `indicators`: " key: value;" per data.indicators entry (sorted), first and last character removed. */
export function indicators(dataText: string | null): string {
  if (!dataText) return '';
  let data: unknown;
  try {
    data = JSON.parse(dataText);
  } catch {
    return '';
  }
  const ind = (data as { indicators?: unknown } | null)?.indicators;
  if (!ind || typeof ind !== 'object' || Array.isArray(ind)) return '';
  const text = Object.keys(ind)
    .sort()
    .map((k) => {
      const v = (ind as Record<string, unknown>)[k];
      return ` ${k}: ${typeof v === 'string' ? v : pyRepr(v)};`;
    })
    .join('');
  return text.slice(1, -1);
}

function ownerFields(row: ExecutionRow) {
  return { updated_at: toWire(row.updated_at)!, username: row.username, first_name: row.first_name, last_name: row.last_name };
}

function detailToWire(row: ExecutionFullRow) {
  return { ...basicToWire(row), indicators: indicators(row.data), ...ownerFields(row) };
}

function shortLog(row: Pick<ExecutionFullRow, 'log_json'>) {
  if (!row.log_json) return null;
  try {
    const log = JSON.parse(row.log_json) as Record<string, unknown> | null;
    if (!log || typeof log !== 'object') return null;
    return { status: (log.status as string | null) ?? null, status_code: (log.status_code as number | null) ?? null, sol_code: (log.sol_code as number | null) ?? null };
  } catch {
    return null;
  }
}

function listItemToWire(row: store.ExecutionListRow) {
  return { ...basicToWire(row), ...ownerFields(row), log: shortLog(row) };
}

async function findOwned(ctx: ExecContext, id: string): Promise<ExecutionFullRow> {
  const row = await store.findExecution(ctx.db, await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles), id);
  if (!row) throw new ObjectDoesNotExist();
  return row;
}

async function setState(db: Db, id: string, state: ExecutionState, extra: Record<string, unknown> = {}): Promise<void> {
  await store.updateExecution(db, id, { state, state_message: STATE_MESSAGES[state], ...extra });
}

/** An error body carrying the execution's new state: {"error", "message", "state"}. */
function stateError(error: string, state: ExecutionState, status = 400): AppError {
  return new AppError(status, error, { message: STATE_MESSAGES[state], state });
}

/** The local backend's state lives in the database; other backends are polled. */
const polled = (o: Orchestrator): boolean => o.name !== 'local';

/** Polls the orchestrator for an active execution; returns the new state (unchanged on any failure). */
async function refresh(ctx: ExecContext, row: ExecutionRow): Promise<void> {
  if (!polled(ctx.orchestrator) || !isActive(row.state) || !row.run_id || !row.schema) return;
  try {
    const state = await ctx.orchestrator.runState({ app: row.schema, runId: row.run_id, checksOnly: row.last_run_checks_and_kpis === true });
    if (state !== row.state) {
      await setState(ctx.db, row.id, state);
      row.state = state;
      row.state_message = STATE_MESSAGES[state];
    }
  } catch {
    /* cornflow skips executions whose poll fails */
  }
}

export async function listExecutions(ctx: ExecContext, filters: ListFilters & { checks_and_kpis?: boolean }) {
  const rows = await store.listExecutions(ctx.db, await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles), filters);
  await Promise.all(rows.map((r) => refresh(ctx, r)));
  return rows
    .filter((r) => {
      try {
        const config = JSON.parse(r.config) as { checks_only?: unknown } | null;
        return !(config && typeof config === 'object' && config.checks_only);
      } catch {
        return true;
      }
    })
    .map(listItemToWire);
}

/** The exec-basic view of one execution (any owner; for routes that have already checked access). */
export async function getExecutionWire(db: Db, id: string) {
  const row = await store.findExecution(db, null, id);
  if (!row) throw new ObjectDoesNotExist();
  return basicToWire(row);
}

export async function getExecution(ctx: ExecContext, id: string) {
  return detailToWire(await findOwned(ctx, id));
}

export async function getExecutionData(ctx: ExecContext, id: string) {
  const row = await findOwned(ctx, id);
  return { ...basicToWire(row), data: json(row.data), checks: json(row.checks), kpis: json(row.kpis), log: shortLog(row) };
}

export async function getExecutionLog(ctx: ExecContext, id: string) {
  const row = await findOwned(ctx, id);
  return { ...detailToWire(row), log: json(row.log_json), log_text: row.log_text };
}

/** JSON-schema `default`s of object properties, filled where the value lacks them (recursively). */
export function fillDefaults(schema: unknown, value: LosslessJson): LosslessJson {
  if (!schema || typeof schema !== 'object' || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const props = (schema as { properties?: Record<string, unknown> }).properties;
  if (!props || typeof props !== 'object') return value;
  const out: Record<string, LosslessJson> = { ...(value as Record<string, LosslessJson>) };
  for (const [key, sub] of Object.entries(props)) {
    if (!sub || typeof sub !== 'object') continue;
    if (!(key in out) && 'default' in sub) out[key] = (sub as { default: LosslessJson }).default;
    else if (key in out) out[key] = fillDefaults(sub, out[key]!);
  }
  return out;
}

/** cornflow's def_schema: the default app of an execution (Databricks: its example job id). */
export const DATABRICKS_DEFAULT_JOB = '979073949072767';
function defaultSchema(orchestrator: Orchestrator): string {
  return orchestrator.name === 'databricks' ? DATABRICKS_DEFAULT_JOB : 'solve_model_dag';
}

export interface NewExecutionInput {
  name: string;
  config: unknown;
  instance_id: string;
  description?: string;
  schema?: string;
  data?: unknown;
}

/**
 * POST /execution/ in cornflow's order (§2.5), except that nothing is stored until the checks pass: a create
 * that fails leaves no row (cornflow left it in state −3 or 0).
 */
export async function createExecution(ctx: ExecContext, input: NewExecutionInput, run: boolean, lossless?: ExactBody) {
  const schema = input.schema ?? defaultSchema(ctx.orchestrator);
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, schema);
  const instance = await store.instanceForExecution(ctx.db, input.instance_id);
  if (!instance) throw new ObjectDoesNotExist();
  if (!ctx.config.userAccessAllObjects && instance.user_id !== ctx.userId) throw new NoPermission();
  if (schema !== (instance.schema ?? 'solve_model_dag')) throw new InvalidUsage('Instance and execution schema mismatch');

  let config = losslessTree(lossless, input.config, 'config');
  const data = input.data === undefined ? null : (losslessField(lossless, input.data, 'data') as JsonValue);
  let state: ExecutionState = -4;
  if (run) {
    await ensureLaunchable(ctx, schema);
    const app = validationApp(schema);
    const configSchemaText = await dagSchemaText(ctx.db, app, 'config_schema');
    if (configSchemaText) config = fillDefaults(JSON.parse(configSchemaText), config);
    const checks: Array<[Parameters<typeof appDataErrors>[2], unknown, 'config' | 'instance data' | 'solution data']> = [
      ['config', JSON.parse(rawJsonText(config as JsonValue)), 'config'],
      ['instance', instance.data === null ? null : JSON.parse(instance.data), 'instance data'],
    ];
    if (input.data !== undefined) checks.push(['solution', input.data, 'solution data']);
    for (const [kind, value] of checks) {
      const errors = await appDataErrors(ctx.db, app, kind, value);
      if (errors.length) throw new InvalidData(undefined, { jsonschema_errors: errors }); // cornflow stores state −3 with its message; here no row
    }
    await ensureNotPaused(ctx, schema, false);
    state = 0;
  }

  const fields = {
    name: input.name,
    description: input.description ?? null,
    schema,
    user_id: ctx.userId,
    instance_id: instance.id,
    config: rawJsonText(config as JsonValue),
    data: data === null ? null : rawJsonText(data),
    data_hash: await dataHashAsync(data),
    state,
    state_message: STATE_MESSAGES[state],
    checks: null,
    kpis: null,
    log_text: null,
    log_json: null,
    checks_and_kpis_only: null,
  };
  const row = await createWithFreshId(
    (created): store.NewExecution => ({ id: objectId(created, ctx.userId, instance.id), ...fields, created_at: created.stored }),
    (r) => store.insertExecution(ctx.db, r),
  );
  if (run) {
    try {
      const { runId } = await ctx.orchestrator.trigger({ executionId: row.id, app: schema, checksOnly: false });
      await setState(ctx.db, row.id, -7, { run_id: runId, last_run_checks_and_kpis: false });
      row.state = -7;
      row.state_message = STATE_MESSAGES[-7];
    } catch (err) {
      await store.deleteExecution(ctx.db, row.id);
      throw triggerError(ctx, err);
    }
  }
  return basicToWire({ ...row, updated_at: row.created_at, run_id: null, last_run_checks_and_kpis: null, execution_files_status: 0, username: null, first_name: null, last_name: null });
}

/** Steps 4–5: the backend answers, and knows the app (its errors pass through with their status). */
async function ensureLaunchable(ctx: ExecContext, app: string, checksOnly = false): Promise<void> {
  if (!(await ctx.orchestrator.healthy())) throw stateError(`${backendLabel(ctx.orchestrator)} is not accessible`, -3);
  try {
    const info = await ctx.orchestrator.appInfo(app, checksOnly);
    if (!info.exists) throw new OrchestratorError(info.detail ?? `The DAG ${checksOnly ? `${app}_check_kpis` : app} does not exist in ${backendLabel(ctx.orchestrator)}`, 404);
  } catch (err) {
    throw passThrough(err);
  }
}

async function ensureNotPaused(ctx: ExecContext, app: string, checksOnly: boolean, message = 'The dag exists but it is paused in airflow'): Promise<void> {
  let paused: boolean;
  try {
    paused = (await ctx.orchestrator.appInfo(app, checksOnly)).paused;
  } catch (err) {
    throw passThrough(err);
  }
  if (paused) throw stateError(message, -3);
}

/** An orchestrator error keeps the backend's status and text (cornflow's AirflowError). */
function passThrough(err: unknown): unknown {
  // Statuses outside the ones the spec declares (e.g. Airflow's 401 for wrong credentials) become 502.
  if (err instanceof OrchestratorError) return new AppError([400, 404, 500, 502, 503].includes(err.status) ? err.status : 502, err.message);
  if (err instanceof CommunicationError) return stateError(err.message, -3);
  return err;
}

function triggerError(ctx: ExecContext, err: unknown): unknown {
  if (err instanceof OrchestratorError || err instanceof CommunicationError) return stateError(`${backendLabel(ctx.orchestrator)} responded with an error: ${err.message}`, -1);
  return err;
}

export interface ExecutionEdit {
  name?: string;
  description?: string;
  data?: unknown;
  instance_id?: string;
}

/** PUT /execution/<id>/ (the solution is rehashed, unlike cornflow). */
export async function updateExecution(ctx: ExecContext, id: string, edit: ExecutionEdit, lossless?: ExactBody): Promise<void> {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  const row = await store.findExecution(ctx.db, scope, id);
  if (!row) throw new ObjectDoesNotExist();
  const values: Record<string, unknown> = {};
  if (edit.name !== undefined) values.name = edit.name;
  if (edit.description !== undefined) values.description = edit.description;
  if (edit.instance_id !== undefined) {
    // Only onto an instance the requester may see (cornflow takes any): another user's looks missing.
    if (!(await findInstance(ctx.db, scope, edit.instance_id))) throw new ObjectDoesNotExist();
    values.instance_id = edit.instance_id;
  }
  if (edit.data !== undefined) {
    const errors = await appDataErrors(ctx.db, validationApp(row.schema), 'solution', edit.data);
    if (errors.length) throw new InvalidData(undefined, { jsonschema_errors: errors });
    const data = losslessField(lossless, edit.data, 'data') as JsonValue;
    values.data = rawJsonText(data);
    values.data_hash = await dataHashAsync(data);
    values.checks = null;
    values.kpis = null;
    if (row.execution_files_status === 1) values.execution_files_status = -3;
  }
  if (!(await store.updateExecution(ctx.db, id, values))) throw new ObjectDoesNotExist();
}

export async function deleteExecution(ctx: ExecContext, id: string): Promise<void> {
  await findOwned(ctx, id);
  if (!(await store.deleteExecution(ctx.db, id))) throw new ObjectDoesNotExist();
}

/** POST /execution/<id>/: stop the run, state −2. */
export async function stopExecution(ctx: ExecContext, id: string): Promise<void> {
  // Databricks: cornflow answers 501 here; the run is cancelled through runs/cancel instead (docs/compatibility.md).
  const row = await findOwned(ctx, id);
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, row.schema);
  if (!(await ctx.orchestrator.healthy())) throw new CommunicationError(`${backendLabel(ctx.orchestrator)} is not reachable`);
  if (row.run_id && row.schema) {
    try {
      await ctx.orchestrator.stop({ app: row.schema, runId: row.run_id, checksOnly: row.last_run_checks_and_kpis === true });
    } catch (err) {
      throw passThrough(err);
    }
  }
  await setState(ctx.db, id, -2);
}

/** GET /execution/<id>/status/: polls active executions (not for the local backend, whose state is in the DB). */
export async function getExecutionStatus(ctx: ExecContext, id: string) {
  const row = await findOwned(ctx, id);
  const wire = () => ({ id: row.id, state: row.state, message: row.state_message, data_hash: row.data_hash });
  if (!isActive(row.state) || !polled(ctx.orchestrator)) return wire();
  if (!row.run_id) {
    await setState(ctx.db, id, -1);
    throw stateError('The execution has no run_id associated', -1);
  }
  if (!(await ctx.orchestrator.healthy())) {
    await setState(ctx.db, id, -3);
    throw stateError(`${backendLabel(ctx.orchestrator)} is not accessible`, -3);
  }
  let state: ExecutionState;
  try {
    state = await ctx.orchestrator.runState({ app: row.schema ?? 'solve_model_dag', runId: row.run_id, checksOnly: row.last_run_checks_and_kpis === true });
  } catch (err) {
    await setState(ctx.db, id, -5);
    throw stateError(`${backendLabel(ctx.orchestrator)} responded with an error: ${(err as Error).message}`, -5);
  }
  await setState(ctx.db, id, state);
  row.state = state;
  row.state_message = STATE_MESSAGES[state];
  return wire();
}

/** PUT /execution/<id>/status/: only active executions change. Unknown codes are refused by the spec (400). */
export async function putExecutionStatus(ctx: ExecContext, id: string, status: number | undefined): Promise<void> {
  const row = await findOwned(ctx, id);
  if (!isActive(row.state)) return;
  if (status === undefined) throw new InvalidUsage('status code was missing');
  await setState(ctx.db, id, status as ExecutionState);
}

/** POST /execution/<id>/relaunch/ (§2.5 relaunch steps). */
export async function relaunchExecution(ctx: ExecContext, id: string, config: Record<string, unknown>, run: boolean, lossless?: ExactBody): Promise<string> {
  const row = await findOwned(ctx, id);
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, row.schema);
  const stored = losslessTree(lossless, config, 'config') as Record<string, LosslessJson>;
  const withSolver = 'solver' in stored ? stored : { ...stored, solver: 'PULP_CBC_CMD' };
  await store.updateExecution(ctx.db, id, { config: rawJsonText(withSolver as JsonValue), checks: null, kpis: null, last_run_checks_and_kpis: false });
  if (isActive(row.state) && row.state !== -5) throw new AppError(400, 'This execution is still running', {}, { message: 'This execution is still running' });
  if (!run) {
    await setState(ctx.db, id, -4);
    return 'The execution was set for relaunch but was not launched';
  }
  const app = row.schema ?? 'solve_model_dag';
  const errors = await appDataErrors(ctx.db, validationApp(app), 'config', JSON.parse(rawJsonText(withSolver as JsonValue)));
  if (errors.length) throw new InvalidData(undefined, { jsonschema_errors: errors });
  try {
    await ensureLaunchable(ctx, app);
    await ensureNotPaused(ctx, app, false, `${backendLabel(ctx.orchestrator)} is not reachable`);
  } catch (err) {
    if (err instanceof AppError && err.payload.state === -3) await setState(ctx.db, id, -3);
    throw err;
  }
  try {
    const { runId } = await ctx.orchestrator.trigger({ executionId: id, app, checksOnly: false });
    await setState(ctx.db, id, -7, { run_id: runId });
  } catch (err) {
    await setState(ctx.db, id, -1);
    throw triggerError(ctx, err);
  }
  return 'The execution was relaunched correctly';
}

export interface ManualExecutionInput extends NewExecutionInput {
  log_text?: string;
  log_json?: unknown;
  state?: number;
  checks?: unknown;
  kpis?: unknown;
  solution_schema?: string | null;
}

/** POST /dag/: an execution loaded by hand (state 2), no validation, as cornflow. */
export async function manualExecution(ctx: ExecContext, input: ManualExecutionInput, lossless?: ExactBody) {
  // Only on an instance the requester may see (cornflow takes any): another user's is refused as a missing one.
  const instance = await findInstance(ctx.db, await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles), input.instance_id);
  if (!instance) throw new InvalidUsage(`Integrity error on saving with data <Execution ${objectId(creationTime(), ctx.userId, input.instance_id)}>`);
  const data = input.data === undefined ? null : (losslessField(lossless, input.data, 'data') as JsonValue);
  const opt = (key: 'checks' | 'kpis', v: unknown) => (v === undefined || v === null ? null : rawJsonText(losslessField(lossless, v, key) as JsonValue));
  const fields = {
    name: input.name,
    description: input.description ?? null,
    schema: input.schema ?? 'solve_model_dag',
    user_id: ctx.userId,
    instance_id: instance.id,
    config: rawJsonText(losslessField(lossless, input.config, 'config') as JsonValue),
    data: data === null ? null : rawJsonText(data),
    data_hash: await dataHashAsync(data),
    state: 2,
    state_message: STATE_MESSAGES[2],
    checks: opt('checks', input.checks),
    kpis: opt('kpis', input.kpis),
    log_text: input.log_text ?? null,
    log_json: input.log_json === undefined || input.log_json === null ? null : logJsonText(losslessTree(lossless, input.log_json, 'log_json')),
    checks_and_kpis_only: null,
  };
  const row = await createWithFreshId(
    (created): store.NewExecution => ({ id: objectId(created, ctx.userId, instance.id), ...fields, created_at: created.stored }),
    (r) => store.insertExecution(ctx.db, r),
  );
  return basicToWire({ ...row, updated_at: row.created_at, run_id: null, last_run_checks_and_kpis: null, execution_files_status: 0, username: null, first_name: null, last_name: null });
}
