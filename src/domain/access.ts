// Seeding and checking cornflow's data-driven authorisation. The views and their roles come from the
// contract (x-cornflow-views in the spec); seeding is idempotent and runs at every start.
import type { Db } from '../storage/db.js';
import * as q from '../storage/access.js';
import type { ViewDefinition, RoleName } from '../api/spec.js';
import { ACTIONS, ACTION_NAMES, BASE_ACTIONS, ROLES, ROLE_NAMES, actionForMethod } from './access-constants.js';
import { AUTH_MESSAGES, AppError } from './errors.js';

export interface AccessFeatures {
  signup: boolean;
  login: boolean;
  alarms: boolean;
}

export function activeViews(views: ViewDefinition[], features: AccessFeatures): ViewDefinition[] {
  return views.filter((v) => !v.condition || features[v.condition]);
}

/** The (role, action, view name) triples cornflow's access_init grants for these views. */
export function permissionMatrix(views: ViewDefinition[]): { role: number; action: number; view: string }[] {
  const out: { role: number; action: number; view: string }[] = [];
  for (const view of views) {
    for (const role of view.roles) {
      for (const action of BASE_ACTIONS[role]) out.push({ role: ROLES[role], action: ACTIONS[action], view: view.name });
    }
    for (const [role, actions] of Object.entries(view.extra ?? {}) as [RoleName, ActionName[]][]) {
      for (const action of actions) out.push({ role: ROLES[role], action: ACTIONS[action], view: view.name });
    }
  }
  return out;
}
type ActionName = keyof typeof ACTIONS;

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
export async function seedAccess(db: Db, catalogue: ViewDefinition[], features: AccessFeatures): Promise<SeedReport> {
  const views = activeViews(catalogue, features);
  return db.transaction(async (trx) => {
    const haveActions = await q.existingIds(trx, 'actions');
    await q.insertActions(
      trx,
      Object.entries(ACTION_NAMES)
        .filter(([id]) => !haveActions.has(Number(id)))
        .map(([id, name]) => ({ id: Number(id), name })),
    );
    const haveRoles = await q.existingIds(trx, 'roles');
    await q.insertRoles(
      trx,
      Object.entries(ROLE_NAMES)
        .filter(([id]) => !haveRoles.has(Number(id)))
        .map(([id, name]) => ({ id: Number(id), name })),
    );

    const existing = await q.listApiViews(trx);
    const byName = new Map(existing.map((v) => [v.name, v]));
    const wanted = new Set(views.map((v) => v.name));
    await q.insertApiViews(
      trx,
      views.filter((v) => !byName.has(v.name)).map((v) => ({ name: v.name, url_rule: v.url_rule, description: v.description ?? '' })),
    );
    for (const v of views) {
      const row = byName.get(v.name);
      if (row && (row.url_rule !== v.url_rule || (row.description ?? '') !== (v.description ?? ''))) {
        await q.updateApiView(trx, row.id, { url_rule: v.url_rule, description: v.description ?? '' });
      }
    }
    const stale = existing.filter((v) => !wanted.has(v.name)).map((v) => v.id);
    await q.deleteApiViews(trx, stale);

    const viewIds = new Map((await q.listApiViews(trx)).map((v) => [v.name, v.id]));
    const have = new Set((await q.listPermissionTriples(trx)).map((p) => `${p.role_id}:${p.action_id}:${p.api_view_id}`));
    const missing = permissionMatrix(views)
      .map((p) => ({ role_id: p.role, action_id: p.action, api_view_id: viewIds.get(p.view)! }))
      .filter((p) => !have.has(`${p.role_id}:${p.action_id}:${p.api_view_id}`));
    await q.insertPermissions(trx, missing);
    await q.resetSequences(trx, ['roles', 'api_view', 'permission_view']);
    const total = (await q.listPermissionTriples(trx)).length;
    return { views: views.length, permissions: total, addedPermissions: missing.length, removedViews: stale.length };
  });
}

/**
 * cornflow's permission check: any role of the user grants (HTTP method → action) on the view whose
 * url_rule is the matched route's. Throws cornflow's 403s.
 */
export async function checkPermission(db: Db, userId: number, method: string, urlRule: string): Promise<void> {
  const roles = await q.roleIdsOfUser(db, userId);
  const action = actionForMethod(method);
  if (!roles.length || action === undefined) throw new AppError(403, AUTH_MESSAGES.noPermission);
  const viewId = await q.apiViewIdByUrlRule(db, urlRule);
  if (viewId === undefined) throw new AppError(403, AUTH_MESSAGES.viewMissing);
  if (!(await q.roleHasPermission(db, roles, action, viewId))) throw new AppError(403, AUTH_MESSAGES.noPermission);
}
