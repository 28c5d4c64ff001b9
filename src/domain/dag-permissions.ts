// Who may use which deployed app (permission_dag), as cornflow's register_dag_permissions.
import type { Db } from '../storage/db.js';
import { allUserIds, deployedDagIds, userIdsWithRole } from '../storage/users.js';
import { registerDagPermissions } from './users.js';
import { SERVICE_ROLE } from './access-constants.js';

/**
 * Open deployment: every user gets every deployed app; otherwise only service users do. Existing pairs are
 * kept. Fixes two cornflow bugs: a single missing pair is written too, and OPEN_DEPLOYMENT is a real boolean
 * (cornflow compared the string "1" with the integer 1). Returns the number of rows added.
 */
export async function grantDagPermissions(db: Db, openDeployment: boolean): Promise<{ users: number; dags: number; added: number }> {
  const dags = await deployedDagIds(db);
  const users = openDeployment ? await allUserIds(db) : await userIdsWithRole(db, SERVICE_ROLE);
  const added = await registerDagPermissions(db, openDeployment);
  return { users: users.length, dags: dags.length, added };
}
