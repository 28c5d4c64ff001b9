// Queries on roles and user_role (role assignments), with the names the API shows.
import type { Db } from './db.js';
import { nowStored } from './time.js';

export interface RoleRow {
  name: string;
  id: number;
}

const mapRole = (r: { id: number | string; name: string }): RoleRow => ({ name: r.name, id: Number(r.id) });

export async function listRoles(db: Db): Promise<RoleRow[]> {
  return (await db('roles').select('id', 'name').whereNull('deleted_at').orderBy('id')).map(mapRole);
}

export async function findRole(db: Db, id: number): Promise<RoleRow | undefined> {
  const row = await db('roles').select('id', 'name').where({ id }).whereNull('deleted_at').first();
  return row ? mapRole(row) : undefined;
}

export async function insertRole(db: Db, name: string): Promise<number> {
  const now = nowStored();
  const [row] = await db('roles').insert({ name, created_at: now, updated_at: now }).returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function updateRole(db: Db, id: number, changes: { name?: string; id?: number }): Promise<void> {
  await db('roles').where({ id }).update({ ...changes, updated_at: nowStored() });
}

export interface UserRoleRow {
  user_id: number;
  role_id: number;
  id: number;
  user: string;
  role: string;
}

function userRoles(db: Db) {
  return db('user_role as ur')
    .join('users as u', 'u.id', 'ur.user_id')
    .join('roles as r', 'r.id', 'ur.role_id')
    .whereNull('ur.deleted_at')
    .select('ur.user_id', 'ur.role_id', 'ur.id', 'u.username as user', 'r.name as role')
    .orderBy('ur.id');
}

const mapUserRole = (r: Record<string, unknown>): UserRoleRow => ({
  user_id: Number(r.user_id),
  role_id: Number(r.role_id),
  id: Number(r.id),
  user: String(r.user),
  role: String(r.role),
});

export async function listUserRoles(db: Db, userId?: number): Promise<UserRoleRow[]> {
  const q = userRoles(db);
  if (userId !== undefined) q.where('ur.user_id', userId);
  return (await q).map(mapUserRole);
}

export async function findUserRole(db: Db, userId: number, roleId: number): Promise<UserRoleRow | undefined> {
  const row = await userRoles(db).where({ 'ur.user_id': userId, 'ur.role_id': roleId }).first();
  return row ? mapUserRole(row) : undefined;
}

/** Any row for the pair, soft-deleted or not (the unique constraint covers both). */
export async function userRoleRowExists(db: Db, userId: number, roleId: number): Promise<boolean> {
  return (await db('user_role').select('id').where({ user_id: userId, role_id: roleId }).first()) !== undefined;
}

export async function insertUserRole(db: Db, userId: number, roleId: number): Promise<void> {
  const now = nowStored();
  await db('user_role').insert({ user_id: userId, role_id: roleId, created_at: now, updated_at: now });
}

export async function deleteUserRole(db: Db, userId: number, roleId: number): Promise<number> {
  return db('user_role').where({ user_id: userId, role_id: roleId }).del();
}
