// cornflow's `[own]` rule for instances, executions and cases (cornflow-api.md §3.4): admins and service users
// see every row; other users see only their rows unless USER_ACCESS_ALL_OBJECTS=1. Storage applies the
// scope in its queries, so a row outside it is indistinguishable from a missing one (404, or absent from lists).
import type { Db } from '../storage/db.js';
import type { Config } from '../config.js';
import { roleIdsOfUser } from '../storage/access.js';
import { ADMIN_ROLE, SERVICE_ROLE } from './access-constants.js';

export interface OwnerScope {
  /** The requesting user. */
  userId: number;
  /** True: every row is visible; false: only rows with user_id = userId. */
  all: boolean;
}

/** The roles the permission check of this request read, by the request's user row (one row object per request). */
const requestRoles = new WeakMap<object, readonly number[]>();

export function rememberRoles(user: object, roles: readonly number[]): void {
  requestRoles.set(user, roles);
}

/** The roles remembered for this request's user row, if its permission check read them. */
export function rolesOf(user: object | undefined): readonly number[] | undefined {
  return user ? requestRoles.get(user) : undefined;
}

/** roles: the user's roles when this request already read them (the permission check); else one query. */
export async function ownerScope(db: Db, config: Pick<Config, 'userAccessAllObjects'>, userId: number, roles?: readonly number[]): Promise<OwnerScope> {
  if (config.userAccessAllObjects) return { userId, all: true };
  roles ??= await roleIdsOfUser(db, userId);
  return { userId, all: roles.includes(ADMIN_ROLE) || roles.includes(SERVICE_ROLE) };
}
