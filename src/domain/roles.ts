// Roles and role assignments (admin tooling). The permission check reads user_role and permission_view on
// every request, so a change here applies to the next request without any cache to invalidate.
import type { Db } from '../storage/db.js';
import type { Config } from '../config.js';
import * as q from '../storage/roles.js';
import { isIntegrityError } from '../storage/integrity.js';
import { EndpointNotImplemented, InvalidData, ObjectAlreadyExists, ObjectDoesNotExist } from './errors.js';
import { isAdmin } from './users.js';

type AuthType = Config['authType'];

function notUnderLdap(authType: AuthType, message: string): void {
  if (authType === 'ldap') throw new EndpointNotImplemented(message);
}

export const listRoles = (db: Db) => q.listRoles(db);

export async function getRole(db: Db, id: number): Promise<q.RoleRow> {
  const role = await q.findRole(db, id);
  if (!role) throw new ObjectDoesNotExist();
  return role;
}

export async function createRole(db: Db, authType: AuthType, name: string): Promise<q.RoleRow> {
  notUnderLdap(authType, 'The roles have to be created in the directory.');
  return { name, id: await q.insertRole(db, name) };
}

export async function updateRole(db: Db, authType: AuthType, id: number, changes: { name?: string; id?: number }): Promise<void> {
  notUnderLdap(authType, 'The roles have to be modified in the directory.');
  const role = await q.findRole(db, id);
  if (!role) throw new ObjectDoesNotExist();
  try {
    await db.transaction((trx) => q.updateRole(trx, id, changes));
  } catch (err) {
    // A new id that is taken, or still referenced by assignments or permissions.
    if (isIntegrityError(err)) throw new InvalidData(`Integrity error on updating with data <Role ${changes.name ?? role.name}>`);
    throw err;
  }
}

/** cornflow never deletes roles: its DELETE answers 501 for everyone allowed to call it. */
export async function deleteRole(): Promise<never> {
  throw new EndpointNotImplemented('Roles can not be deleted');
}

/** Admins see every assignment, anyone else only their own. */
export async function listUserRoles(db: Db, requesterId: number): Promise<q.UserRoleRow[]> {
  return (await isAdmin(db, requesterId)) ? q.listUserRoles(db) : q.listUserRoles(db, requesterId);
}

export async function getUserRole(db: Db, userId: number, roleId: number): Promise<q.UserRoleRow> {
  const row = await q.findUserRole(db, userId, roleId);
  if (!row) throw new ObjectDoesNotExist();
  return row;
}

export async function createUserRole(db: Db, authType: AuthType, userId: number, roleId: number): Promise<q.UserRoleRow> {
  notUnderLdap(authType, 'The role assignments have to be created in the directory');
  if (await q.userRoleRowExists(db, userId, roleId)) throw new ObjectAlreadyExists();
  // cornflow's message for an unknown user or role (the row's repr falls back to the ids).
  const integrity = new InvalidData(`Integrity error on saving with data ${userId} has role ${roleId}`);
  try {
    await q.insertUserRole(db, userId, roleId);
  } catch (err) {
    if (isIntegrityError(err)) throw integrity;
    throw err;
  }
  const row = await q.findUserRole(db, userId, roleId);
  // Joined with a soft-deleted user or role: as good as missing.
  if (!row) throw integrity;
  return row;
}

export async function deleteUserRole(db: Db, authType: AuthType, userId: number, roleId: number): Promise<void> {
  notUnderLdap(authType, 'The roles have to be deleted in the directory.');
  if (!(await q.findUserRole(db, userId, roleId))) throw new ObjectDoesNotExist();
  await q.deleteUserRole(db, userId, roleId);
}
