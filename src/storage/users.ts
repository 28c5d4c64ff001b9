// Queries on users (and the DAG permissions granted to them).
import type { Db } from './db.js';
import { nowStored } from './time.js';

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

function mapUser(r: Record<string, unknown> | undefined): UserRow | undefined {
  if (!r) return undefined;
  return { ...(r as unknown as UserRow), id: Number(r.id) };
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return mapUser(await db('users').where({ username }).whereNull('deleted_at').first());
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
  return (await db('users').select('id').where({ username }).whereNull('deleted_at').first()) !== undefined;
}
