// Handlers of the users tag: listUsers, getUser, updateUser, deleteUser, toggleUserAdmin, recoverPassword.
import type { OpHandler } from './handlers.js';
import type { UserRow } from '../storage/users.js';
import * as users from '../domain/users.js';

/** Operations with bearerAuth always have a user once the security handler passed. */
export function requester(user: UserRow | undefined): UserRow {
  if (!user) throw new Error('authenticated operation without a user');
  return user;
}

export const listUsers: OpHandler<'listUsers'> = async ({ deps }) => ({ status: 200, body: await users.listUsers(deps.db) });

export const getUser: OpHandler<'getUser'> = async ({ params, user, deps }) => ({
  status: 200,
  body: await users.getUser(deps.db, requester(user), params.user_id),
});

export const updateUser: OpHandler<'updateUser'> = async ({ params, body, user, deps }) => {
  await users.updateUser(deps.db, deps.config.authType, requester(user), params.user_id, body);
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const deleteUser: OpHandler<'deleteUser'> = async ({ params, user, deps }) => {
  await users.deleteUser(deps.db, requester(user), params.user_id);
  return { status: 200, body: { message: 'The object has been deleted' } };
};

export const toggleUserAdmin: OpHandler<'toggleUserAdmin'> = async ({ params, deps }) => ({
  status: 200,
  body: await users.toggleUserAdmin(deps.db, params.user_id, params.make_admin),
});

export const recoverPassword: OpHandler<'recoverPassword'> = async ({ body, deps }) => ({
  status: 200,
  body: await users.recoverPassword(deps.db, deps.config, body.email),
});

export const usersHandlers = { listUsers, getUser, updateUser, deleteUser, toggleUserAdmin, recoverPassword };
