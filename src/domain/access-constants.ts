// cornflow's fixed roles and actions (cornflow-platform.md §2.1).
import type { ActionName, RoleName } from '../api/spec.js';

export const ROLES: Record<RoleName, number> = { dummy: 0, viewer: 1, planner: 2, admin: 3, service: 4 };
export const ROLE_NAMES: Record<number, RoleName> = { 0: 'dummy', 1: 'viewer', 2: 'planner', 3: 'admin', 4: 'service' };
export const VIEWER_ROLE = 1;
export const PLANNER_ROLE = 2;
export const ADMIN_ROLE = 3;
export const SERVICE_ROLE = 4;

export const ACTIONS: Record<ActionName, number> = { get: 1, patch: 2, post: 3, put: 4, delete: 5 };
/** Stored names (the API shows them with `_` replaced by a space). */
export const ACTION_NAMES: Record<number, string> = { 1: 'can_get', 2: 'can_patch', 3: 'can_post', 4: 'can_put', 5: 'can_delete' };

/** Actions each role gets on the views that list it (BASE_PERMISSION_ASSIGNATION). */
export const BASE_ACTIONS: Record<RoleName, ActionName[]> = {
  dummy: [],
  viewer: ['get'],
  planner: ['get', 'patch', 'post', 'put', 'delete'],
  admin: ['get', 'patch', 'post', 'put', 'delete'],
  service: ['get', 'patch', 'post', 'put', 'delete'],
};

export function actionForMethod(method: string): number | undefined {
  return ACTIONS[method.toLowerCase() as ActionName];
}
