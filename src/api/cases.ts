// Handlers of the cases tag: read the validated request, call one domain function, send the result.
import type { OpHandler } from './handlers.js';
import type { AppDeps } from './context.js';
import type { UserRow } from '../storage/users.js';
import type { DataContext } from '../domain/instances.js';
import * as cases from '../domain/cases.js';
import { losslessBody } from '../domain/lossless-body.js';
import { rolesOf } from '../domain/ownership.js';

const ctx = (deps: AppDeps, user: UserRow | undefined): DataContext => ({ db: deps.db, config: deps.config, userId: user!.id, roles: rolesOf(user) });
const updated = { message: 'Updated correctly' };
const deleted = { message: 'The object has been deleted' };

export const listCases: OpHandler<'listCases'> = async ({ query, user, deps }) => ({
  status: 200,
  body: await cases.listCases(ctx(deps, user), query ?? {}),
});

export const createCase: OpHandler<'createCase'> = async ({ body, user, deps, req }) => ({
  status: 201,
  body: await cases.createCase(ctx(deps, user), body, losslessBody(req)),
});

export const createCaseFromInstance: OpHandler<'createCaseFromInstance'> = async ({ body, user, deps }) => ({
  status: 201,
  body: await cases.createCaseFromInstance(ctx(deps, user), body),
});

export const getCase: OpHandler<'getCase'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await cases.getCase(ctx(deps, user), params.idx),
});

export const updateCase: OpHandler<'updateCase'> = async ({ params, body, user, deps }) => {
  await cases.updateCase(ctx(deps, user), params.idx, body);
  return { status: 200, body: updated };
};

export const deleteCase: OpHandler<'deleteCase'> = async ({ params, user, deps }) => {
  await cases.deleteCase(ctx(deps, user), params.idx);
  return { status: 200, body: deleted };
};

export const getCaseData: OpHandler<'getCaseData'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await cases.getCaseData(ctx(deps, user), params.idx),
});

export const patchCaseData: OpHandler<'patchCaseData'> = async ({ params, body, user, deps, req }) => {
  await cases.patchCaseData(ctx(deps, user), params.idx, body, losslessBody(req));
  return { status: 200, body: { message: 'Patched correctly' } };
};

export const updateCaseData: OpHandler<'updateCaseData'> = async ({ params, body, user, deps }) => {
  await cases.updateCase(ctx(deps, user), params.idx, body);
  return { status: 200, body: updated };
};

export const deleteCaseData: OpHandler<'deleteCaseData'> = async ({ params, user, deps }) => {
  await cases.deleteCase(ctx(deps, user), params.idx);
  return { status: 200, body: deleted };
};

export const copyCase: OpHandler<'copyCase'> = async ({ params, user, deps }) => ({
  status: 201,
  body: await cases.copyCase(ctx(deps, user), params.idx),
});

export const createInstanceFromCase: OpHandler<'createInstanceFromCase'> = async ({ params, user, deps }) => ({
  status: 201,
  body: await cases.createInstanceFromCase(ctx(deps, user), params.idx),
});

export const compareCases: OpHandler<'compareCases'> = async ({ params, query, user, deps }) => ({
  status: 200,
  body: await cases.compareCases(ctx(deps, user), params.idx1, params.idx2, query ?? {}),
});

export const casesHandlers = {
  listCases,
  createCase,
  createCaseFromInstance,
  getCase,
  updateCase,
  deleteCase,
  getCaseData,
  patchCaseData,
  updateCaseData,
  deleteCaseData,
  copyCase,
  createInstanceFromCase,
  compareCases,
};
