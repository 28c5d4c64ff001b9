// Actions, API views and permissions as the admin routes show and change them. Changes apply on the next
// request (the permission check reads permission_view each time); start-up seeding keeps rows added here.
import type { Db } from '../storage/db.js';
import * as q from '../storage/permissions.js';
import { isIntegrityError } from '../storage/integrity.js';
import { InvalidData, ObjectAlreadyExists, ObjectDoesNotExist } from './errors.js';

/** cornflow shows action and view names with `_` replaced by a space. */
const spaced = (name: string) => name.replaceAll('_', ' ');

export async function listActions(db: Db) {
  return (await q.listActions(db)).map((a) => ({ id: a.id, name: spaced(a.name) }));
}

export async function listApiViews(db: Db) {
  return (await q.listViews(db)).map((v) => ({ id: v.id, name: spaced(v.name), url_rule: v.url_rule, description: v.description }));
}

const wire = (p: q.PermissionRow): q.PermissionRow => ({ ...p, action: spaced(p.action) });
const repr = (p: q.PermissionIds) => `<Permission role: ${p.role_id}, action: ${p.action_id}, view: ${p.api_view_id}>`;

export async function listPermissions(db: Db): Promise<q.PermissionRow[]> {
  return (await q.listPermissions(db)).map(wire);
}

export async function getPermission(db: Db, id: number): Promise<q.PermissionRow> {
  const row = await q.findPermission(db, id);
  if (!row) throw new ObjectDoesNotExist();
  return wire(row);
}

export async function createPermission(db: Db, p: q.PermissionIds): Promise<q.PermissionRow> {
  const ids = { role_id: p.role_id, action_id: p.action_id, api_view_id: p.api_view_id };
  if (await q.permissionExists(db, ids)) throw new ObjectAlreadyExists();
  const integrity = new InvalidData(`Integrity error on saving with data ${repr(ids)}`);
  // SQLite only enforces foreign keys when they are switched on; check them on both databases.
  if (!(await q.referencesExist(db, ids))) throw integrity;
  let id: number;
  try {
    id = await q.insertPermission(db, ids);
  } catch (err) {
    if (isIntegrityError(err)) throw integrity;
    throw err;
  }
  return getPermission(db, id);
}

export async function updatePermission(db: Db, id: number, changes: Partial<q.PermissionIds>): Promise<void> {
  const current = await q.permissionIds(db, id);
  if (!current) throw new ObjectDoesNotExist();
  const next = { ...current, ...changes };
  const integrity = new InvalidData(`Integrity error on updating with data ${repr(next)}`);
  try {
    await db.transaction(async (trx) => {
      if (!(await q.referencesExist(trx, next))) throw integrity;
      await q.updatePermission(trx, id, changes);
    });
  } catch (err) {
    if (isIntegrityError(err)) throw integrity;
    throw err;
  }
}

export async function deletePermission(db: Db, id: number): Promise<void> {
  if (!(await q.permissionIds(db, id))) throw new ObjectDoesNotExist();
  await q.deletePermission(db, id);
}
