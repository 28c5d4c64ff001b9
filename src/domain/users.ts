// Creating users and checking passwords, shared by signup, the initial users and (later) the admin routes.
import { hash, verify } from '@node-rs/bcrypt';
import type { Db } from '../storage/db.js';
import * as users from '../storage/users.js';
import { addUserRole } from '../storage/access.js';
import { checkEmail, checkPasswordPolicy } from './user-rules.js';
import { InvalidUsage } from './errors.js';
import { SERVICE_ROLE } from './access-constants.js';

/** cornflow hashes with bcrypt, 10 rounds ($2b$10$…); hashes written by cornflow verify here and back. */
export const BCRYPT_ROUNDS = 10;

export function hashPassword(password: string): Promise<string> {
  return hash(password, BCRYPT_ROUNDS);
}

export async function passwordMatches(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false; // LDAP/OpenID users have no password here (cornflow answers 500).
  try {
    return await verify(password, stored);
  } catch {
    return false; // A malformed stored hash is a failed login, not a server error.
  }
}

export interface UserInput {
  username: string;
  email: string;
  password: string | null;
  first_name?: string | null;
  last_name?: string | null;
}

/** Validates as cornflow does (password policy, then e-mail, then uniqueness) and inserts with roles. */
export async function createUser(
  db: Db,
  input: UserInput,
  roleIds: number[],
  dagAccess: { openDeployment: boolean },
): Promise<number> {
  if (input.password !== null) checkPasswordPolicy(input.password);
  checkEmail(input.email);
  const hashed = input.password === null ? null : await hashPassword(input.password);
  return db.transaction(async (trx) => {
    if (await users.usernameExists(trx, input.username)) {
      throw new InvalidUsage('Username already in use, please supply another username');
    }
    if (await users.emailExists(trx, input.email)) {
      throw new InvalidUsage('Email already in use, please supply another email address');
    }
    const id = await users.insertUser(trx, { ...input, password: hashed });
    for (const role of roleIds) await addUserRole(trx, id, role);
    // Open deployment: every new user may use every deployed app; service users always may.
    if (dagAccess.openDeployment || roleIds.includes(SERVICE_ROLE)) await users.grantDags(trx, id, await users.deployedDagIds(trx));
    return id;
  });
}

export interface InitialUser {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates the user with the role if missing, or adds the role to an existing user (cornflow's
 * `cornflow users create …` semantics). Returns whether the user was created.
 */
export async function ensureUserWithRole(db: Db, user: InitialUser, roleId: number, openDeployment: boolean): Promise<boolean> {
  const existing = await users.findUserByUsername(db, user.username);
  if (existing) {
    await addUserRole(db, existing.id, roleId);
    if (roleId === SERVICE_ROLE) await users.grantDags(db, existing.id, await users.deployedDagIds(db));
    return false;
  }
  await createUser(db, user, [roleId], { openDeployment });
  return true;
}
