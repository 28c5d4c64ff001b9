// Handlers of the apps tag: deployed apps (/dag/deployed/), their schemas (/schema/) and examples (/example/).
import type { OpHandler } from './handlers.js';
import * as apps from '../domain/apps.js';
import { losslessBody } from '../domain/lossless-body.js';
import { createExampleSource } from '../orchestration/examples.js';

export const listDeployedDags: OpHandler<'listDeployedDags'> = async ({ deps }) => ({
  status: 200,
  body: await apps.listDeployedDags(deps.db),
});

export const createDeployedDag: OpHandler<'createDeployedDag'> = async ({ body, deps, req }) => ({
  status: 201,
  body: await apps.createDeployedDag(deps.db, body, losslessBody(req)),
});

export const updateDeployedDag: OpHandler<'updateDeployedDag'> = async ({ params, body, deps, req }) => {
  await apps.updateDeployedDag(deps.db, params.idx, body, losslessBody(req));
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const listSchemas: OpHandler<'listSchemas'> = async ({ user, deps }) => ({
  status: 200,
  body: await apps.listSchemas(deps.db, user!.id),
});

export const getSchema: OpHandler<'getSchema'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await apps.getSchema(deps.db, user!.id, params.dag_name),
});

export const listExamples: OpHandler<'listExamples'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await apps.listExamples(deps.db, createExampleSource(deps.config), user!.id, params.dag_name),
});

export const getExample: OpHandler<'getExample'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await apps.getExample(deps.db, createExampleSource(deps.config), user!.id, params.dag_name, params.example_name),
});

export const appsHandlers = { listDeployedDags, createDeployedDag, updateDeployedDag, listSchemas, getSchema, listExamples, getExample };
