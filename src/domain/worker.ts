// What the worker does through /dag/… (cornflow-api.md §2.7, §4), as plain functions: the HTTP callbacks and
// the local runner (in-process, as the service user) share them, so states, logs and hashes are identical.
import type { Db } from '../storage/db.js';
import * as store from '../storage/executions.js';
import { RawJson } from '../api/wire.js';
import { validateAppData, validationApp } from './app-schemas.js';
import { dataHashAsync, rawJsonText, type JsonValue, type LosslessJson } from './json-hash.js';
import { losslessField, losslessTree, type ExactBody } from './lossless-body.js';
import { ObjectDoesNotExist } from './errors.js';
import { STATE_MESSAGES, isActive } from './execution-states.js';
import type { ExecutionState } from '../orchestration/types.js';

export const LOG_KEYS = [
  'status', 'status_code', 'sol_code', 'version', 'solver', 'best_bound', 'best_solution', 'gap', 'time', 'matrix', 'matrix_post',
  'rootTime', 'presolve', 'first_relaxed', 'first_solution', 'nodes', 'progress', 'cut_info',
] as const;

/** LogSchema: unknown top-level keys are dropped (nested objects are checked by the spec). */
export function logJsonText(log: LosslessJson): string | null {
  if (log === null || typeof log !== 'object' || Array.isArray(log)) return null;
  const kept: Record<string, LosslessJson> = {};
  for (const key of LOG_KEYS) if (Object.prototype.hasOwnProperty.call(log, key)) kept[key] = (log as Record<string, LosslessJson>)[key]!;
  return rawJsonText(kept);
}

/** GET /dag/<id>/: the data the worker solves. */
export async function workerGetData(db: Db, executionId: string) {
  const execution = await store.findExecution(db, null, executionId);
  if (!execution) throw new ObjectDoesNotExist('The execution does not exist.');
  const instance = await store.instanceForExecution(db, execution.instance_id);
  if (!instance) throw new ObjectDoesNotExist('The instance does not exist.');
  return {
    id: instance.id,
    data: new RawJson(instance.data ?? 'null'),
    solution_data: new RawJson(execution.data ?? 'null'),
    config: new RawJson(execution.config),
  };
}

export interface WorkerResults {
  data?: unknown;
  log_text?: string;
  log_json?: unknown;
  state?: number;
  checks?: unknown;
  kpis?: unknown;
  solution_schema?: string | null;
}

/**
 * PUT /dag/<id>/: validates and stores the solution, log, checks and kpis, and the state (1 when absent).
 * Differences from cornflow (docs/compatibility.md): the solution is rehashed, and a PUT without `state` on an
 * execution that has already finished keeps its state (cornflow's trailing log-only PUT marked failures solved).
 */
export async function workerWriteResults(db: Db, executionId: string, input: WorkerResults, lossless?: ExactBody): Promise<void> {
  const execution = await store.findExecution(db, null, executionId);
  if (!execution) throw new ObjectDoesNotExist('The execution does not exist.');
  const values: Record<string, unknown> = {};
  if (input.data !== undefined) {
    await validateAppData(db, validationApp(execution.schema), 'solution', input.data);
    const data = losslessField(lossless, input.data, 'data') as JsonValue;
    values.data = rawJsonText(data);
    values.data_hash = await dataHashAsync(data);
    values.checks = null;
    values.kpis = null;
  }
  if (input.checks !== undefined) values.checks = input.checks === null ? null : rawJsonText(losslessField(lossless, input.checks, 'checks') as JsonValue);
  if (input.kpis !== undefined) values.kpis = input.kpis === null ? null : rawJsonText(losslessField(lossless, input.kpis, 'kpis') as JsonValue);
  if (input.log_text !== undefined) values.log_text = input.log_text;
  if (input.log_json !== undefined) values.log_json = logJsonText(losslessTree(lossless, input.log_json, 'log_json'));
  let state: number | undefined = input.state;
  if (state === undefined && (isActive(execution.state) || input.data !== undefined)) state = 1;
  if (state !== undefined) {
    values.state = state;
    values.state_message = STATE_MESSAGES[state as ExecutionState];
  }
  if (!(await store.updateExecution(db, executionId, values))) throw new ObjectDoesNotExist('The execution does not exist.');
}

/**
 * PUT /execution/<id>/status/ semantics: only an active execution (0, −7, −5) changes state. Returns false when
 * nothing changed. The caller has checked ownership.
 */
export async function setRunningState(db: Db, executionId: string, state: ExecutionState): Promise<boolean> {
  const execution = await store.findExecution(db, null, executionId);
  if (!execution) throw new ObjectDoesNotExist();
  if (!isActive(execution.state)) return false;
  await store.updateExecution(db, executionId, { state, state_message: STATE_MESSAGES[state] });
  return true;
}

/** PUT /dag/instance/<id>/ (no ownership check, as cornflow). */
export async function workerWriteInstanceChecks(db: Db, instanceId: string, checks: unknown, lossless?: ExactBody): Promise<void> {
  if (!(await store.updateInstanceChecks(db, instanceId, rawJsonText(losslessField(lossless, checks, 'checks') as JsonValue)))) throw new ObjectDoesNotExist();
}

/** PUT /dag/case/<id>/. */
export async function workerWriteCaseChecks(
  db: Db,
  caseId: number,
  input: { checks?: unknown; solution_checks?: unknown; kpis?: unknown },
  lossless?: ExactBody,
): Promise<void> {
  const values: Record<string, string | null> = {};
  for (const key of ['checks', 'solution_checks', 'kpis'] as const) {
    const v = input[key];
    if (v !== undefined) values[key] = v === null ? null : rawJsonText(losslessField(lossless, v, key) as JsonValue);
  }
  if (!(await store.updateCaseChecks(db, caseId, values))) throw new ObjectDoesNotExist();
}
