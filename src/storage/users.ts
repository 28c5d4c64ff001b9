// Queries on users (and the DAG permissions granted to them).
import type { Db } from './db.js';
import { nowStored } from './time.js';
import { selectFirst } from './fast-query.js';

export interface UserRow {
  id: number;
  username: string;
  first_name: string | null;
  last_name: string | null;
  email: string;
  /** bcrypt hash; null for users of an external directory (LDAP, OpenID). */
  password: string | null;
  pwd_last_change: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** The columns of a UserRow. */
export const USER_COLUMNS = 'id, username, first_name, last_name, email, password, pwd_last_change, created_at, updated_at, deleted_at';

export function mapUser(r: Record<string, unknown> | undefined): UserRow | undefined {
  if (!r) return undefined;
  return { ...(r as unknown as UserRow), id: Number(r.id) };
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  // Every authenticated request: fixed SQL (src/storage/fast-query.ts).
  return mapUser(await selectFirst<Record<string, unknown>>(db, `select ${USER_COLUMNS} from users where username = ? and deleted_at is null limit 1`, [username]));
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  return mapUser(await db('users').where({ id }).whereNull('deleted_at').first());
}

/** cornflow's uniqueness checks also see soft-deleted users. */
export async function usernameExists(db: Db, username: string): Promise<boolean> {
  return (await db('users').select('id').where({ username }).first()) !== undefined;
}

export async function emailExists(db: Db, email: string): Promise<boolean> {
  return (await db('users').select('id').where({ email }).first()) !== undefined;
}

export interface NewUser {
  username: string;
  email: string;
  password: string | null;
  first_name?: string | null;
  last_name?: string | null;
}

export async function insertUser(db: Db, user: NewUser): Promise<number> {
  const now = nowStored();
  const [row] = await db('users')
    .insert({
      username: user.username,
      email: user.email,
      password: user.password,
      first_name: user.first_name ?? null,
      last_name: user.last_name ?? null,
      pwd_last_change: user.password === null ? null : now,
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function deployedDagIds(db: Db): Promise<string[]> {
  const rows = await db('deployed_workflows').select('id').whereNull('deleted_at').orderBy('created_at');
  return rows.map((r: { id: string }) => r.id);
}

export async function grantDags(db: Db, userId: number, dagIds: string[]): Promise<void> {
  if (!dagIds.length) return;
  const now = nowStored();
  await db('permission_dag')
    .insert(dagIds.map((dag_id) => ({ dag_id, user_id: userId, created_at: now, updated_at: now })))
    .onConflict(['dag_id', 'user_id'])
    .ignore();
}

export async function serviceUserExists(db: Db, username: string): Promise<boolean> {
  return (await selectFirst(db, 'select id from users where username = ? and deleted_at is null limit 1', [username])) !== undefined;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return mapUser(await db('users').where({ email }).whereNull('deleted_at').first());
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const rows: Record<string, unknown>[] = await db('users').whereNull('deleted_at').orderBy('id');
  return rows.map((r) => mapUser(r)!);
}

/** Another row (soft-deleted ones included: the unique constraints see them) already has this value. */
export async function takenByOther(db: Db, column: 'username' | 'email', value: string, userId: number): Promise<boolean> {
  return (await db('users').select('id').where(column, value).whereNot('id', userId).first()) !== undefined;
}

export interface UserChanges {
  username?: string;
  first_name?: string;
  last_name?: string;
  email?: string;
  /** Already hashed. */
  password?: string;
  pwd_last_change?: string;
}

export async function updateUser(db: Db, id: number, changes: UserChanges): Promise<void> {
  await db('users').where({ id }).update({ ...changes, updated_at: nowStored() });
}

/**
 * Deletes a user and everything that references them (cornflow cascades the same rows in its ORM): their
 * executions, every execution on their instances, their instances, cases, DAG permissions and roles.
 * Run it inside a transaction.
 */
export async function deleteUserCascade(db: Db, id: number): Promise<void> {
  const instanceIds = db('instances').select('id').where({ user_id: id });
  await db('executions').where({ user_id: id }).orWhereIn('instance_id', instanceIds).del();
  await db('instances').where({ user_id: id }).del();
  await db('cases').where({ user_id: id }).del();
  await db('permission_dag').where({ user_id: id }).del();
  await db('user_role').where({ user_id: id }).del();
  await db('users').where({ id }).del();
}

/** Users (not soft-deleted) with the role. */
export async function userIdsWithRole(db: Db, roleId: number): Promise<number[]> {
  const rows = await db('user_role as ur')
    .join('users as u', 'u.id', 'ur.user_id')
    .whereNull('u.deleted_at')
    .whereNull('ur.deleted_at')
    .where('ur.role_id', roleId)
    .distinct('u.id');
  return rows.map((r: { id: number | string }) => Number(r.id));
}

export async function allUserIds(db: Db): Promise<number[]> {
  const rows = await db('users').select('id').whereNull('deleted_at');
  return rows.map((r: { id: number | string }) => Number(r.id));
}

/** The (user, DAG) pairs among these users and DAGs that have no permission_dag row yet. */
export async function missingDagPairs(db: Db, userIds: number[], dagIds: string[]): Promise<{ user_id: number; dag_id: string }[]> {
  if (!userIds.length || !dagIds.length) return [];
  const have = new Set(
    (await db('permission_dag').select('user_id', 'dag_id')).map((r: { user_id: number | string; dag_id: string }) => `${Number(r.user_id)}\u0000${r.dag_id}`),
  );
  const out: { user_id: number; dag_id: string }[] = [];
  for (const user_id of userIds) for (const dag_id of dagIds) if (!have.has(`${user_id}\u0000${dag_id}`)) out.push({ user_id, dag_id });
  return out;
}

export async function insertDagPermissions(db: Db, pairs: { user_id: number; dag_id: string }[]): Promise<void> {
  const now = nowStored();
  for (let i = 0; i < pairs.length; i += 100) {
    await db('permission_dag')
      .insert(pairs.slice(i, i + 100).map((p) => ({ ...p, created_at: now, updated_at: now })))
      .onConflict(['dag_id', 'user_id'])
      .ignore();
  }
}
