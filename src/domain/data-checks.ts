// Data checks (cornflow-api.md §2.6): run the app's `<app>_check_kpis` workflow on an execution, an instance or
// a case. cornflow always uses Airflow here; cornflow-ts uses the configured backend (local runs go to the
// local runner). New executions/instances created by a check that then fails to launch are removed again.
import * as store from '../storage/executions.js';
import { ownerScope } from './ownership.js';
import { requireDagPermission } from './dag-access.js';
import { appDataErrors, validationApp } from './app-schemas.js';
import { createWithFreshId, objectId } from './ids.js';
import { dataHashAsync, parseLossless, rawJsonText, type JsonValue } from './json-hash.js';
import { AppError, InvalidData, InvalidUsage, NoPermission, ObjectDoesNotExist } from './errors.js';
import { STATE_MESSAGES } from './execution-states.js';
import { backendLabel } from '../orchestration/orchestrator.js';
import { OrchestratorError } from '../orchestration/types.js';
import { CommunicationError } from './errors.js';
import { insertNew, storedData } from './instances.js';
import { findInstance, deleteInstance } from '../storage/instances.js';
import { findCaseData } from '../storage/cases.js';
import { getExecutionWire, type ExecContext } from './executions.js';
import type { ExecutionState } from '../orchestration/types.js';

const stateError = (error: string, state: ExecutionState) => new AppError(400, error, { message: STATE_MESSAGES[state], state });

/** cornflow's _run_airflow_data_check: alive, not paused, trigger with checks_and_kpis_only, then −7. */
async function launchCheck(ctx: ExecContext, executionId: string, app: string, caseId?: number): Promise<void> {
  const o = ctx.orchestrator;
  const setState = (state: ExecutionState, extra: Record<string, unknown> = {}) =>
    store.updateExecution(ctx.db, executionId, { state, state_message: STATE_MESSAGES[state], ...extra });
  if (!(await o.healthy())) {
    await setState(-3);
    throw stateError(`${backendLabel(o)} is not reachable`, -3);
  }
  let info: { exists: boolean; paused: boolean; detail?: string };
  try {
    info = await o.appInfo(app, true);
  } catch (err) {
    if (err instanceof OrchestratorError) throw new AppError([400, 404, 500, 502, 503].includes(err.status) ? err.status : 502, err.message);
    if (err instanceof CommunicationError) {
      await setState(-3);
      throw stateError(err.message, -3);
    }
    throw err;
  }
  if (!info.exists) throw new AppError(404, info.detail ?? `The DAG ${app}_check_kpis does not exist in ${backendLabel(o)}`);
  if (info.paused) {
    await setState(-3);
    throw stateError('The dag exists but it is paused in airflow', -3);
  }
  try {
    const { runId } = await o.trigger({ executionId, app, checksOnly: true, ...(caseId === undefined ? {} : { caseId }) });
    await setState(-7, { run_id: runId, last_run_checks_and_kpis: true });
  } catch (err) {
    if (!(err instanceof OrchestratorError || err instanceof CommunicationError)) throw err;
    await setState(-1);
    throw stateError(`${backendLabel(o)} responded with an error: ${err.message}`, -1);
  }
}

/** POST /data-check[-kpis]/execution/<id>/: re-runs the same execution in checks mode. */
export async function checkExecution(ctx: ExecContext, id: string, run: boolean) {
  const row = await store.findExecution(ctx.db, await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles), id);
  if (!row) throw new ObjectDoesNotExist('The execution to check does not exist');
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, row.schema);
  if (row.state === 0 || row.state === -7) throw new InvalidUsage('The execution is still running');
  if (!run) await store.updateExecution(ctx.db, id, { state: -4, state_message: STATE_MESSAGES[-4] });
  else await launchCheck(ctx, id, row.schema ?? 'solve_model_dag');
  return getExecutionWire(ctx.db, id);
}

async function newCheckExecution(ctx: ExecContext, instanceId: string, name: string, schema: string | null, data: JsonValue | null): Promise<string> {
  const fields = {
    name,
    description: null,
    schema,
    user_id: ctx.userId,
    instance_id: instanceId,
    config: rawJsonText({ checks_and_kpis_only: true }),
    data: data === null ? null : rawJsonText(data),
    data_hash: await dataHashAsync(data),
    state: 0,
    state_message: STATE_MESSAGES[0],
    checks: null,
    kpis: null,
    log_text: null,
    log_json: null,
    checks_and_kpis_only: true,
  };
  const row = await createWithFreshId(
    (created): store.NewExecution => ({ id: objectId(created, ctx.userId, instanceId), ...fields, created_at: created.stored }),
    (r) => store.insertExecution(ctx.db, r),
  );
  return row.id;
}

/** Runs (or not) a freshly created check execution; a failed launch removes what was created. */
async function runNew(ctx: ExecContext, executionId: string, app: string, run: boolean, cleanup: () => Promise<void>, caseId?: number) {
  if (!run) await store.updateExecution(ctx.db, executionId, { state: -4, state_message: STATE_MESSAGES[-4] });
  else {
    try {
      await launchCheck(ctx, executionId, app, caseId);
    } catch (err) {
      await cleanup();
      throw err;
    }
  }
  return getExecutionWire(ctx.db, executionId);
}

/** POST /data-check[-kpis]/instance/<id>/: a new checks-only execution of the instance. */
export async function checkInstance(ctx: ExecContext, id: string, run: boolean) {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  const instance = await findInstance(ctx.db, scope, id);
  if (!instance) throw new ObjectDoesNotExist('The instance to check does not exist');
  const schema = (instance.schema as string | null) ?? null;
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, schema);
  if (!ctx.config.userAccessAllObjects && Number(instance.user_id) !== ctx.userId) throw new NoPermission();
  const execId = await newCheckExecution(ctx, String(instance.id), `data_check_instance_${String(instance.name)}`, schema, null);
  return runNew(ctx, execId, schema ?? 'solve_model_dag', run, async () => void (await store.deleteExecution(ctx.db, execId)));
}

/** POST /data-check[-kpis]/case/<id>/: a new instance (the case data) and a checks-only execution (the case solution). */
export async function checkCase(ctx: ExecContext, caseId: number, run: boolean) {
  const scope = await ownerScope(ctx.db, ctx.config, ctx.userId, ctx.roles);
  const row = await findCaseData(ctx.db, scope, caseId);
  if (!row) throw new ObjectDoesNotExist('The case to check does not exist');
  const schema = row.schema ?? 'solve_model_dag';
  await requireDagPermission(ctx.db, ctx.config, ctx.userId, schema);
  const dataText = row.data;
  const solutionText = row.solution;
  const data = dataText === null ? null : (parseLossless(dataText) as JsonValue);
  const solution = solutionText === null ? null : (parseLossless(solutionText) as JsonValue);
  const app = validationApp(schema);
  const instErrors = await appDataErrors(ctx.db, app, 'instance', dataText === null ? null : JSON.parse(dataText));
  if (instErrors.length) throw new InvalidData(undefined, { jsonschema_errors: instErrors });
  if (solutionText !== null) {
    const solErrors = await appDataErrors(ctx.db, app, 'solution', JSON.parse(solutionText));
    if (solErrors.length) throw new InvalidData(undefined, { jsonschema_errors: solErrors });
  }
  const name = `data_check_case_${String(row.name)}`;
  const instance = await insertNew(ctx, { name, description: null, schema, data: await storedData(data), checks: null });
  const execId = await newCheckExecution(ctx, instance.id, name, schema, solution);
  return runNew(
    ctx,
    execId,
    schema,
    run,
    async () => {
      await store.deleteExecution(ctx.db, execId);
      await deleteInstance(ctx.db, instance.id);
    },
    caseId,
  );
}
