// Queries on the access tables: roles, actions, api_view, permission_view, user_role.
import type { Db } from './db.js';
import { isPostgres } from './db.js';
import { nowStored } from './time.js';
import { selectRows } from './fast-query.js';
import { mapUser, USER_COLUMNS, type UserRow } from './users.js';

export interface PermissionTriple {
  role_id: number;
  action_id: number;
  api_view_id: number;
}

export async function existingIds(db: Db, table: 'actions' | 'roles'): Promise<Set<number>> {
  const rows = await db(table).select('id');
  return new Set(rows.map((r: { id: number | string }) => Number(r.id)));
}

export async function insertActions(db: Db, rows: { id: number; name: string }[]): Promise<void> {
  if (rows.length) await db('actions').insert(rows).onConflict('id').ignore();
}

export async function insertRoles(db: Db, rows: { id: number; name: string }[]): Promise<void> {
  if (!rows.length) return;
  const now = nowStored();
  await db('roles')
    .insert(rows.map((r) => ({ ...r, created_at: now, updated_at: now })))
    .onConflict('id')
    .ignore();
}

export interface ApiViewRow {
  id: number;
  name: string;
  url_rule: string;
  description: string | null;
}

export async function listApiViews(db: Db): Promise<ApiViewRow[]> {
  const rows = await db('api_view').select('id', 'name', 'url_rule', 'description').orderBy('id');
  return rows.map((r: ApiViewRow) => ({ ...r, id: Number(r.id) }));
}

export async function insertApiViews(db: Db, rows: Omit<ApiViewRow, 'id'>[]): Promise<void> {
  if (rows.length) await db('api_view').insert(rows).onConflict('name').ignore();
}

export async function updateApiView(db: Db, id: number, values: Partial<Omit<ApiViewRow, 'id'>>): Promise<void> {
  await db('api_view').where({ id }).update(values);
}

export async function deleteApiViews(db: Db, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db('permission_view').whereIn('api_view_id', ids).del();
  await db('api_view').whereIn('id', ids).del();
}

export async function listPermissionTriples(db: Db): Promise<PermissionTriple[]> {
  const rows = await db('permission_view').select('role_id', 'action_id', 'api_view_id');
  return rows.map((r: PermissionTriple) => ({ role_id: Number(r.role_id), action_id: Number(r.action_id), api_view_id: Number(r.api_view_id) }));
}

export async function insertPermissions(db: Db, rows: PermissionTriple[]): Promise<void> {
  if (!rows.length) return;
  const now = nowStored();
  const withTrace = rows.map((r) => ({ ...r, created_at: now, updated_at: now }));
  // Chunked: SQLite limits the number of bound parameters per statement.
  for (let i = 0; i < withTrace.length; i += 100) {
    await db('permission_view')
      .insert(withTrace.slice(i, i + 100))
      .onConflict(['action_id', 'api_view_id', 'role_id'])
      .ignore();
  }
}

/** After explicit-id inserts, move PostgreSQL sequences past the highest id (cornflow does the same). */
export async function resetSequences(db: Db, tables: string[]): Promise<void> {
  if (!isPostgres(db)) return;
  for (const table of tables) {
    await db.raw(
      `SELECT setval(pg_get_serial_sequence(?, 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM ??), 1), (SELECT COUNT(*) > 0 FROM ??))`,
      [table, table, table],
    );
  }
}

const ROLES_WITH_PERMISSION =
  'select ur.role_id, pv.id as pv_id from user_role as ur ' +
  'left join permission_view as pv on pv.role_id = ur.role_id and pv.action_id = ? and pv.deleted_at is null ' +
  'and pv.api_view_id in (select id from api_view where url_rule = ?) ' +
  'where ur.user_id = ? and ur.deleted_at is null';

/** A user's active roles and whether one of them may do an action on a view (rolesWithPermission's answer). */
export interface RolesWithPermission {
  roles: number[];
  granted: boolean;
}

const USER_WITH_PERMISSION =
  `select ${USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')}, ur.role_id as cf_role_id, pv.id as cf_pv_id from users as u ` +
  'left join user_role as ur on ur.user_id = u.id and ur.deleted_at is null ' +
  'left join permission_view as pv on pv.role_id = ur.role_id and pv.action_id = ? and pv.deleted_at is null ' +
  'and pv.api_view_id in (select id from api_view where url_rule = ?) ' +
  'where u.username = ? and u.deleted_at is null';

/**
 * The (non-deleted) user of a username with rolesWithPermission's answer for (action, view), in one query: the
 * token's user and the permission check of an authenticated request. Undefined when there is no such user.
 */
export async function userWithPermission(db: Db, username: string, actionId: number, urlRule: string): Promise<{ user: UserRow; access: RolesWithPermission } | undefined> {
  const rows = await selectRows<Record<string, unknown>>(db, USER_WITH_PERMISSION, [actionId, urlRule, username]);
  if (!rows.length) return undefined;
  const { cf_role_id: _role, cf_pv_id: _pv, ...user } = rows[0]!;
  const roles = [...new Set(rows.filter((r) => r.cf_role_id !== null).map((r) => Number(r.cf_role_id)))];
  return { user: mapUser(user)!, access: { roles, granted: rows.some((r) => r.cf_pv_id !== null) } };
}

/**
 * The user's active roles, each with whether it may do the action on the view of urlRule: one query for the
 * permission check and the [own] scope of the same request.
 */
export async function rolesWithPermission(db: Db, userId: number, actionId: number, urlRule: string): Promise<RolesWithPermission> {
  // Every authenticated request: fixed SQL (src/storage/fast-query.ts).
  const rows = await selectRows<{ role_id: number | string; pv_id: number | string | null }>(db, ROLES_WITH_PERMISSION, [actionId, urlRule, userId]);
  return { roles: [...new Set(rows.map((r) => Number(r.role_id)))], granted: rows.some((r) => r.pv_id !== null) };
}

export async function roleIdsOfUser(db: Db, userId: number): Promise<number[]> {
  const rows = await db('user_role').select('role_id').where({ user_id: userId }).whereNull('deleted_at');
  return rows.map((r: { role_id: number | string }) => Number(r.role_id));
}

export async function apiViewIdByUrlRule(db: Db, urlRule: string): Promise<number | undefined> {
  const row = await db('api_view').select('id').where({ url_rule: urlRule }).first();
  return row ? Number(row.id) : undefined;
}

export async function roleHasPermission(db: Db, roleIds: number[], actionId: number, apiViewId: number): Promise<boolean> {
  const row = await db('permission_view')
    .select('id')
    .whereIn('role_id', roleIds)
    .andWhere({ action_id: actionId, api_view_id: apiViewId })
    .whereNull('deleted_at')
    .first();
  return row !== undefined;
}

export async function addUserRole(db: Db, userId: number, roleId: number): Promise<void> {
  const now = nowStored();
  await db('user_role')
    .insert({ user_id: userId, role_id: roleId, created_at: now, updated_at: now })
    .onConflict(['user_id', 'role_id'])
    .ignore();
}
