// Who may use which deployed app (permission_dag), as cornflow's register_dag_permissions.
import type { Db } from '../storage/db.js';
import { deployedDagIds, grantDags } from '../storage/users.js';
import { SERVICE_ROLE } from './access-constants.js';

/**
 * Open deployment: every user gets every deployed app; otherwise only service users do. Existing pairs are
 * kept. Fixes two cornflow bugs: a single missing pair is written too, and OPEN_DEPLOYMENT is a real boolean
 * (cornflow compared the string "1" with the integer 1). Returns the number of rows added.
 */
export async function grantDagPermissions(db: Db, openDeployment: boolean): Promise<{ users: number; dags: number; added: number }> {
  const dags = await deployedDagIds(db);
  let users = db('users').select('users.id').whereNull('users.deleted_at');
  if (!openDeployment) {
    users = users
      .join('user_role', 'user_role.user_id', 'users.id')
      .where('user_role.role_id', SERVICE_ROLE)
      .whereNull('user_role.deleted_at')
      .distinct();
  }
  const ids = ((await users) as { id: number | string }[]).map((r) => Number(r.id));
  const count = async () => Number(((await db('permission_dag').count({ n: '*' })) as { n: number | string }[])[0]!.n);
  const before = await count();
  for (const id of ids) await grantDags(db, id, dags);
  return { users: ids.length, dags: dags.length, added: (await count()) - before };
}
