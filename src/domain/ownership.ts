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

export async function ownerScope(db: Db, config: Pick<Config, 'userAccessAllObjects'>, userId: number): Promise<OwnerScope> {
  if (config.userAccessAllObjects) return { userId, all: true };
  const roles = await roleIdsOfUser(db, userId);
  return { userId, all: roles.includes(ADMIN_ROLE) || roles.includes(SERVICE_ROLE) };
}
