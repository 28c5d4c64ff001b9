// Handlers of the roles tag: roles, role assignments, actions, permissions and API views.
import type { OpHandler } from './handlers.js';
import * as roles from '../domain/roles.js';
import * as permissions from '../domain/permissions.js';
import { requester } from './users.js';

const updated = { message: 'Updated correctly' };
const deleted = { message: 'The object has been deleted' };

export const listRoles: OpHandler<'listRoles'> = async ({ deps }) => ({ status: 200, body: await roles.listRoles(deps.db) });

export const createRole: OpHandler<'createRole'> = async ({ body, deps }) => ({
  status: 201,
  body: await roles.createRole(deps.db, deps.config.authType, body.name),
});

export const getRole: OpHandler<'getRole'> = async ({ params, deps }) => ({ status: 200, body: await roles.getRole(deps.db, params.idx) });

export const updateRole: OpHandler<'updateRole'> = async ({ params, body, deps }) => {
  await roles.updateRole(deps.db, deps.config.authType, params.idx, body);
  return { status: 200, body: updated };
};

export const deleteRole: OpHandler<'deleteRole'> = async () => roles.deleteRole();

export const listUserRoles: OpHandler<'listUserRoles'> = async ({ user, deps }) => ({
  status: 200,
  body: await roles.listUserRoles(deps.db, requester(user).id),
});

export const createUserRole: OpHandler<'createUserRole'> = async ({ body, deps }) => ({
  status: 201,
  body: await roles.createUserRole(deps.db, deps.config.authType, body.user_id, body.role_id),
});

export const getUserRole: OpHandler<'getUserRole'> = async ({ params, deps }) => ({
  status: 200,
  body: await roles.getUserRole(deps.db, params.user_id, params.role_id),
});

export const deleteUserRole: OpHandler<'deleteUserRole'> = async ({ params, deps }) => {
  await roles.deleteUserRole(deps.db, deps.config.authType, params.user_id, params.role_id);
  return { status: 200, body: deleted };
};

export const listActions: OpHandler<'listActions'> = async ({ deps }) => ({ status: 200, body: await permissions.listActions(deps.db) });

export const listApiViews: OpHandler<'listApiViews'> = async ({ deps }) => ({ status: 200, body: await permissions.listApiViews(deps.db) });

export const listPermissions: OpHandler<'listPermissions'> = async ({ deps }) => ({
  status: 200,
  body: await permissions.listPermissions(deps.db),
});

export const createPermission: OpHandler<'createPermission'> = async ({ body, deps }) => ({
  status: 201,
  body: await permissions.createPermission(deps.db, body),
});

export const getPermission: OpHandler<'getPermission'> = async ({ params, deps }) => ({
  status: 200,
  body: await permissions.getPermission(deps.db, params.idx),
});

export const updatePermission: OpHandler<'updatePermission'> = async ({ params, body, deps }) => {
  await permissions.updatePermission(deps.db, params.idx, body);
  return { status: 200, body: updated };
};

export const deletePermission: OpHandler<'deletePermission'> = async ({ params, deps }) => {
  await permissions.deletePermission(deps.db, params.idx);
  return { status: 200, body: deleted };
};

export const rolesHandlers = {
  listRoles,
  createRole,
  getRole,
  updateRole,
  deleteRole,
  listUserRoles,
  createUserRole,
  getUserRole,
  deleteUserRole,
  listActions,
  listApiViews,
  listPermissions,
  createPermission,
  getPermission,
  updatePermission,
  deletePermission,
};
