// Queries on actions, api_view and permission_view as the admin routes show them.
import type { Db } from './db.js';
import { nowStored } from './time.js';
import type { components } from '../../generated/api.js';

export interface ActionRow {
  id: number;
  name: string;
}

export async function listActions(db: Db): Promise<ActionRow[]> {
  const rows = await db('actions').select('id', 'name').orderBy('id');
  return rows.map((r: { id: number | string; name: string }) => ({ id: Number(r.id), name: r.name }));
}

export interface ApiViewListRow {
  id: number;
  name: string;
  url_rule: string;
  description: string | null;
}

export async function listViews(db: Db): Promise<ApiViewListRow[]> {
  const rows = await db('api_view').select('id', 'name', 'url_rule', 'description').orderBy('id');
  return rows.map((r: ApiViewListRow) => ({ id: Number(r.id), name: r.name, url_rule: r.url_rule, description: r.description ?? null }));
}

/** The joined row is the API's Permission shape. */
export type PermissionRow = components['schemas']['Permission'];

function permissions(db: Db) {
  return db('permission_view as p')
    .join('actions as a', 'a.id', 'p.action_id')
    .join('api_view as v', 'v.id', 'p.api_view_id')
    .join('roles as r', 'r.id', 'p.role_id')
    .whereNull('p.deleted_at')
    .select('p.id', 'p.action_id', 'a.name as action', 'p.api_view_id', 'v.name as api_view', 'p.role_id', 'r.name as role')
    .orderBy('p.id');
}

const mapPermission = (r: Record<string, unknown>): PermissionRow => ({
  id: Number(r.id),
  action_id: Number(r.action_id),
  action: String(r.action),
  api_view_id: Number(r.api_view_id),
  api_view: String(r.api_view),
  role_id: Number(r.role_id),
  role: String(r.role),
});

export async function listPermissions(db: Db): Promise<PermissionRow[]> {
  return (await permissions(db)).map(mapPermission);
}

export async function findPermission(db: Db, id: number): Promise<PermissionRow | undefined> {
  const row = await permissions(db).where('p.id', id).first();
  return row ? mapPermission(row) : undefined;
}

export interface PermissionIds {
  role_id: number;
  action_id: number;
  api_view_id: number;
}

/** The stored ids of a permission (also one whose role, action or view row is gone). */
export async function permissionIds(db: Db, id: number): Promise<PermissionIds | undefined> {
  const row = await db('permission_view').select('role_id', 'action_id', 'api_view_id').where({ id }).whereNull('deleted_at').first();
  return row ? { role_id: Number(row.role_id), action_id: Number(row.action_id), api_view_id: Number(row.api_view_id) } : undefined;
}

export async function permissionExists(db: Db, p: PermissionIds): Promise<boolean> {
  return (await db('permission_view').select('id').where(p).first()) !== undefined;
}

export async function referencesExist(db: Db, p: PermissionIds): Promise<boolean> {
  // One after the other: inside a transaction they share one connection.
  const role = await db('roles').select('id').where({ id: p.role_id }).first();
  const action = await db('actions').select('id').where({ id: p.action_id }).first();
  const view = await db('api_view').select('id').where({ id: p.api_view_id }).first();
  return role !== undefined && action !== undefined && view !== undefined;
}

export async function insertPermission(db: Db, p: PermissionIds): Promise<number> {
  const now = nowStored();
  const [row] = await db('permission_view').insert({ ...p, created_at: now, updated_at: now }).returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function updatePermission(db: Db, id: number, changes: Partial<PermissionIds>): Promise<void> {
  await db('permission_view').where({ id }).update({ ...changes, updated_at: nowStored() });
}

export async function deletePermission(db: Db, id: number): Promise<number> {
  return db('permission_view').where({ id }).del();
}
