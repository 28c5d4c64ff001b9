// Handlers of the executions and dag (worker callback) tags: read the request, call one domain function.
import type { OpHandler } from './handlers.js';
import type { AppDeps } from './context.js';
import type { UserRow } from '../storage/users.js';
import * as executions from '../domain/executions.js';
import * as worker from '../domain/worker.js';
import { losslessBody } from '../domain/lossless-body.js';
import * as dataChecks from '../domain/data-checks.js';
import * as files from '../domain/execution-files.js';
import { rolesOf } from '../domain/ownership.js';

const ctx = (deps: AppDeps, user: UserRow | undefined): executions.ExecContext => ({
  db: deps.db,
  config: deps.config,
  userId: user!.id,
  roles: rolesOf(user),
  orchestrator: deps.orchestrator,
});
const runFlag = (run: string | undefined): boolean => run !== '0';

export const listExecutions: OpHandler<'listExecutions'> = async ({ query, user, deps }) => ({
  status: 200,
  body: (await executions.listExecutions(ctx(deps, user), query ?? {})) as never,
});

export const createExecution: OpHandler<'createExecution'> = async ({ query, body, user, deps, req }) => ({
  status: 201,
  body: (await executions.createExecution(ctx(deps, user), body, runFlag(query?.run), losslessBody(req))) as never,
});

export const getExecution: OpHandler<'getExecution'> = async ({ params, user, deps }) => ({
  status: 200,
  body: (await executions.getExecution(ctx(deps, user), params.idx)) as never,
});

export const updateExecution: OpHandler<'updateExecution'> = async ({ params, body, user, deps, req }) => {
  await executions.updateExecution(ctx(deps, user), params.idx, body, losslessBody(req));
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const deleteExecution: OpHandler<'deleteExecution'> = async ({ params, user, deps }) => {
  await executions.deleteExecution(ctx(deps, user), params.idx);
  return { status: 200, body: { message: 'The object has been deleted' } };
};

export const stopExecution: OpHandler<'stopExecution'> = async ({ params, user, deps }) => {
  await executions.stopExecution(ctx(deps, user), params.idx);
  return { status: 200, body: { message: 'The execution has been stopped' } };
};

export const getExecutionStatus: OpHandler<'getExecutionStatus'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await executions.getExecutionStatus(ctx(deps, user), params.idx),
});

export const updateExecutionStatus: OpHandler<'updateExecutionStatus'> = async ({ params, body, user, deps }) => {
  await executions.putExecutionStatus(ctx(deps, user), params.idx, body?.status);
  return { status: 200, body: { message: `execution ${params.idx} updated correctly` } };
};

export const getExecutionData: OpHandler<'getExecutionData'> = async ({ params, user, deps }) => ({
  status: 200,
  body: (await executions.getExecutionData(ctx(deps, user), params.idx)) as never,
});

export const getExecutionLog: OpHandler<'getExecutionLog'> = async ({ params, user, deps }) => ({
  status: 200,
  body: (await executions.getExecutionLog(ctx(deps, user), params.idx)) as never,
});

export const relaunchExecution: OpHandler<'relaunchExecution'> = async ({ params, query, body, user, deps, req }) => ({
  status: 201,
  body: { message: await executions.relaunchExecution(ctx(deps, user), params.idx, body.config as Record<string, unknown>, runFlag(query?.run), losslessBody(req)) },
});

export const createManualExecution: OpHandler<'createManualExecution'> = async ({ body, user, deps, req }) => ({
  status: 201,
  body: (await executions.manualExecution(ctx(deps, user), body, losslessBody(req))) as never,
});

export const getWorkerData: OpHandler<'getWorkerData'> = async ({ params, deps }) => ({
  status: 200,
  body: (await worker.workerGetData(deps.db, params.idx)) as never,
});

export const writeWorkerResults: OpHandler<'writeWorkerResults'> = async ({ params, body, deps, req }) => {
  await worker.workerWriteResults(deps.db, params.idx, body, losslessBody(req));
  return { status: 200, body: { message: 'results successfully saved' } };
};

export const writeInstanceChecks: OpHandler<'writeInstanceChecks'> = async ({ params, body, deps, req }) => {
  await worker.workerWriteInstanceChecks(deps.db, params.idx, body.checks, losslessBody(req));
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const writeCaseChecks: OpHandler<'writeCaseChecks'> = async ({ params, body, deps, req }) => {
  await worker.workerWriteCaseChecks(deps.db, params.idx, body ?? {}, losslessBody(req));
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const dataCheckKpisExecution: OpHandler<'dataCheckKpisExecution'> = async ({ params, query, user, deps }) => ({
  status: 201,
  body: (await dataChecks.checkExecution(ctx(deps, user), params.idx, runFlag(query?.run))) as never,
});
export const dataCheckExecution: OpHandler<'dataCheckExecution'> = dataCheckKpisExecution as never;

export const dataCheckKpisInstance: OpHandler<'dataCheckKpisInstance'> = async ({ params, query, user, deps }) => ({
  status: 201,
  body: (await dataChecks.checkInstance(ctx(deps, user), params.idx, runFlag(query?.run))) as never,
});
export const dataCheckInstance: OpHandler<'dataCheckInstance'> = dataCheckKpisInstance as never;

export const dataCheckKpisCase: OpHandler<'dataCheckKpisCase'> = async ({ params, query, user, deps }) => ({
  status: 201,
  body: (await dataChecks.checkCase(ctx(deps, user), params.idx, runFlag(query?.run))) as never,
});
export const dataCheckCase: OpHandler<'dataCheckCase'> = dataCheckKpisCase as never;

export const executionsHandlers = {
  dataCheckKpisExecution,
  dataCheckExecution,
  dataCheckKpisInstance,
  dataCheckInstance,
  dataCheckKpisCase,
  dataCheckCase,
  listExecutions,
  createExecution,
  getExecution,
  updateExecution,
  deleteExecution,
  stopExecution,
  getExecutionStatus,
  updateExecutionStatus,
  getExecutionData,
  getExecutionLog,
  relaunchExecution,
  createManualExecution,
  getWorkerData,
  writeWorkerResults,
  writeInstanceChecks,
  writeCaseChecks,
};

// Execution files (EXECUTION_FILES=1).

export const uploadExecutionFiles: OpHandler<'uploadExecutionFiles'> = async ({ params, deps, req }) => {
  const form = (req.body ?? {}) as { execution_files_status?: string };
  const upload = ((req.files ?? []) as Array<files.UploadedZip & { fieldname: string }>).find((f) => f.fieldname === 'execution_file');
  return { status: 200, body: { message: await files.uploadExecutionFiles(deps.db, deps.config, params.idx, String(form.execution_files_status ?? ''), upload) } };
};

export const downloadExecutionFiles: OpHandler<'downloadExecutionFiles'> = async ({ params, user, deps }) => {
  const { body, headers } = await files.downloadExecutionFiles(deps.db, deps.config, user!.id, params.idx);
  return { status: 200, body: body as never, headers };
};

export const cleanupExecutionFiles: OpHandler<'cleanupExecutionFiles'> = async ({ deps }) => ({
  status: 200,
  body: { message: await files.cleanupExecutionFiles(deps.db, deps.config) },
});

export const executionFilesHandlers = { uploadExecutionFiles, downloadExecutionFiles, cleanupExecutionFiles };
