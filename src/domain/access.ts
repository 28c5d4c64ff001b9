// Seeding and checking cornflow's data-driven authorisation. The views and their roles come from the
// contract (x-cornflow-views in the spec); seeding is idempotent and runs at every start.
import type { Db } from '../storage/db.js';
import * as q from '../storage/access.js';
import type { ActionName, ViewDefinition, RoleName } from '../api/spec.js';
import { ACTIONS, ACTION_NAMES, BASE_ACTIONS, ROLES, ROLE_NAMES, actionForMethod } from './access-constants.js';
import { AUTH_MESSAGES, AppError } from './errors.js';

export interface AccessFeatures {
  signup: boolean;
  login: boolean;
  alarms: boolean;
  /** CORNFLOW_LEGACY_URL is set (the legacy-forwarded view). */
  legacy?: boolean;
}

export function activeViews(views: ViewDefinition[], features: AccessFeatures): ViewDefinition[] {
  return views.filter((v) => !v.condition || features[v.condition] === true);
}

/** A plugin's role (cornflow's CUSTOM_ROLES_ACTIONS entry): id, name used in the views, base actions. */
export interface AccessRole {
  id: number;
  name: string;
  actions: ActionName[];
}

/**
 * The (role, action, view name) triples cornflow's access_init grants for these views. `customRoles` are the
 * plugins' roles; a view naming a role that is neither a core nor a custom one is an error (cornflow's ValueError).
 */
export function permissionMatrix(views: ViewDefinition[], customRoles: readonly AccessRole[] = []): { role: number; action: number; view: string }[] {
  const out: { role: number; action: number; view: string }[] = [];
  const resolve = (name: string, view: string): { id: number; actions: ActionName[] } => {
    if (name in ROLES) return { id: ROLES[name as RoleName], actions: BASE_ACTIONS[name as RoleName] };
    const custom = customRoles.find((r) => r.name === name);
    if (!custom) throw new Error(`view ${view} names role ${name}, which is neither a core role nor a custom role`);
    return custom;
  };
  for (const view of views) {
    for (const role of view.roles as string[]) {
      const r = resolve(role, view.name);
      for (const action of r.actions) out.push({ role: r.id, action: ACTIONS[action], view: view.name });
    }
    for (const [role, actions] of Object.entries(view.extra ?? {}) as [string, ActionName[]][]) {
      const r = resolve(role, view.name);
      for (const action of actions) out.push({ role: r.id, action: ACTIONS[action], view: view.name });
    }
  }
  return out;
}

export interface SeedReport {
  views: number;
  permissions: number;
  addedPermissions: number;
  removedViews: number;
}

/**
 * Brings actions, roles, api_view and permission_view in line with the catalogue.
 * Differs from cornflow on purpose: permissions added through /permission/ are kept (cornflow deletes every
 * row that is not in its base matrix at each start); rows of views that no longer exist are removed.
 */
export async function seedAccess(
  db: Db,
  catalogue: ViewDefinition[],
  features: AccessFeatures,
  /** On a database shared with the Flask cornflow, its views (external apps, routes not ported yet) stay. */
  options: { keepUnknownViews?: boolean; customRoles?: readonly AccessRole[] } = {},
): Promise<SeedReport> {
  const views = activeViews(catalogue, features);
  return db.transaction(async (trx) => {
    await seedActions(trx);
    await seedRoles(trx, options.customRoles);
    const { removed } = await syncViews(trx, views, options.keepUnknownViews);
    const { added, total } = await seedBasePermissions(trx, views, options.customRoles);
    return { views: views.length, permissions: total, addedPermissions: added, removedViews: removed };
  });
}

/** Inserts cornflow's five actions that are missing; returns how many were inserted. */
export async function seedActions(db: Db): Promise<number> {
  const have = await q.existingIds(db, 'actions');
  const missing = Object.entries(ACTION_NAMES)
    .filter(([id]) => !have.has(Number(id)))
    .map(([id, name]) => ({ id: Number(id), name }));
  await q.insertActions(db, missing);
  return missing.length;
}

/**
 * Inserts cornflow's roles, and the plugins' custom roles, that are missing (roles are never deleted); returns
 * how many were inserted.
 */
export async function seedRoles(db: Db, customRoles: readonly AccessRole[] = []): Promise<number> {
  const have = await q.existingIds(db, 'roles');
  const missing = [...Object.entries(ROLE_NAMES), ...customRoles.map((r) => [String(r.id), r.name] as const)]
    .filter(([id]) => !have.has(Number(id)))
    .map(([id, name]) => ({ id: Number(id), name }));
  await q.insertRoles(db, missing);
  await q.resetSequences(db, ['roles']);
  return missing.length;
}

/** api_view rows: inserts new views, updates changed ones, removes the ones no longer served. */
export async function syncViews(
  db: Db,
  views: ViewDefinition[],
  keepUnknown = false,
): Promise<{ added: number; updated: number; removed: number }> {
  const existing = await q.listApiViews(db);
  const byName = new Map(existing.map((v) => [v.name, v]));
  const wanted = new Set(views.map((v) => v.name));
  const fresh = views.filter((v) => !byName.has(v.name));
  await q.insertApiViews(db, fresh.map((v) => ({ name: v.name, url_rule: v.url_rule, description: v.description ?? '' })));
  let updated = 0;
  for (const v of views) {
    const row = byName.get(v.name);
    if (row && (row.url_rule !== v.url_rule || (row.description ?? '') !== (v.description ?? ''))) {
      await q.updateApiView(db, row.id, { url_rule: v.url_rule, description: v.description ?? '' });
      updated++;
    }
  }
  const stale = keepUnknown ? [] : existing.filter((v) => !wanted.has(v.name)).map((v) => v.id);
  await q.deleteApiViews(db, stale);
  await q.resetSequences(db, ['api_view']);
  return { added: fresh.length, updated, removed: stale.length };
}

/**
 * Inserts the missing (role, action, view) rows of the base matrix for the views that exist in api_view
 * (cornflow's register_base_permissions); returns how many were added and the total afterwards.
 */
export async function seedBasePermissions(
  db: Db,
  views: ViewDefinition[],
  customRoles: readonly AccessRole[] = [],
): Promise<{ added: number; total: number }> {
  const viewIds = new Map((await q.listApiViews(db)).map((v) => [v.name, v.id]));
  const have = new Set((await q.listPermissionTriples(db)).map((p) => `${p.role_id}:${p.action_id}:${p.api_view_id}`));
  const missing = permissionMatrix(views.filter((v) => viewIds.has(v.name)), customRoles)
    .map((p) => ({ role_id: p.role, action_id: p.action, api_view_id: viewIds.get(p.view)! }))
    .filter((p) => !have.has(`${p.role_id}:${p.action_id}:${p.api_view_id}`));
  await q.insertPermissions(db, missing);
  await q.resetSequences(db, ['permission_view']);
  return { added: missing.length, total: (await q.listPermissionTriples(db)).length };
}

/**
 * cornflow's permission check: any role of the user grants (HTTP method → action) on the view whose
 * url_rule is the matched route's. Throws cornflow's 403s.
 */
export async function checkPermission(db: Db, userId: number, method: string, urlRule: string, known?: q.RolesWithPermission & { actionId: number; urlRule: string }): Promise<number[]> {
  // Allowed: one query, which also gives the user's roles (returned, for the [own] scope of the request), or none
  // when the user lookup already read it (`known`, for the same action and view).
  // Refused: the queries below tell which message (no role, no view, no permission).
  const action = actionForMethod(method);
  const readWithUser = known && action !== undefined && known.actionId === action && known.urlRule === urlRule ? known : undefined;
  const checked = action === undefined ? undefined : (readWithUser ?? (await q.rolesWithPermission(db, userId, action, urlRule)));
  if (checked?.granted) return checked.roles;
  const roles = checked?.roles ?? (await q.roleIdsOfUser(db, userId));
  if (!roles.length || action === undefined) throw new AppError(403, AUTH_MESSAGES.noPermission);
  const viewId = await q.apiViewIdByUrlRule(db, urlRule);
  if (viewId === undefined) throw new AppError(403, AUTH_MESSAGES.viewMissing);
  if (!(await q.roleHasPermission(db, roles, action, viewId))) throw new AppError(403, AUTH_MESSAGES.noPermission);
  return roles;
}
