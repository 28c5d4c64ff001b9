// Handlers of the instances tag: read the validated request, call one domain function, send the result.
import type { OpHandler } from './handlers.js';
import type { AppDeps } from './context.js';
import type { UserRow } from '../storage/users.js';
import * as instances from '../domain/instances.js';
import { createInstanceFromFile as fromFile, type UploadedFile } from '../domain/instance-file.js';
import { losslessBody } from '../domain/lossless-body.js';
import { rolesOf } from '../domain/ownership.js';

const ctx = (deps: AppDeps, user: UserRow | undefined): instances.DataContext => ({ db: deps.db, config: deps.config, userId: user!.id, roles: rolesOf(user) });

export const listInstances: OpHandler<'listInstances'> = async ({ query, user, deps }) => ({
  status: 200,
  body: await instances.listInstances(ctx(deps, user), query ?? {}),
});

export const createInstance: OpHandler<'createInstance'> = async ({ body, user, deps, req }) => ({
  status: 201,
  body: await instances.createInstance(ctx(deps, user), body, losslessBody(req)),
});

export const getInstance: OpHandler<'getInstance'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await instances.getInstance(ctx(deps, user), params.idx),
});

export const updateInstance: OpHandler<'updateInstance'> = async ({ params, body, user, deps, req }) => {
  await instances.updateInstance(ctx(deps, user), params.idx, body, losslessBody(req));
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const deleteInstance: OpHandler<'deleteInstance'> = async ({ params, user, deps }) => {
  await instances.deleteInstance(ctx(deps, user), params.idx);
  return { status: 200, body: { message: 'The object has been deleted' } };
};

export const getInstanceData: OpHandler<'getInstanceData'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await instances.getInstanceData(ctx(deps, user), params.idx),
});

export const createInstanceFromFile: OpHandler<'createInstanceFromFile'> = async ({ user, deps, req }) => {
  const files = (req.files ?? []) as (UploadedFile & { fieldname: string })[];
  const form = req.body as { name: string; description?: string; minimize?: string };
  return { status: 201, body: await fromFile(ctx(deps, user), form, files.find((f) => f.fieldname === 'file')) };
};

export const instancesHandlers = { listInstances, createInstance, getInstance, updateInstance, deleteInstance, getInstanceData, createInstanceFromFile };
