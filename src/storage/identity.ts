// Writes made by logins through an external identity (LDAP): the user's roles follow the directory.
import type { Db } from './db.js';
import { nowStored } from './time.js';

/** Replaces every user_role row of the user (hard delete, as cornflow) with the given roles. */
export async function replaceUserRoles(db: Db, userId: number, roleIds: number[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('user_role').where({ user_id: userId }).delete();
    const now = nowStored();
    if (roleIds.length) await trx('user_role').insert(roleIds.map((role_id) => ({ user_id: userId, role_id, created_at: now, updated_at: now })));
  });
}

export async function updateUserEmail(db: Db, userId: number, email: string): Promise<void> {
  await db('users').where({ id: userId }).update({ email, updated_at: nowStored() });
}
