// Users: creation and passwords (signup, the initial users) and the admin routes (list, get, edit, delete, admin toggle, recovery).
import { hash, verify } from '@node-rs/bcrypt';
import type { Db } from '../storage/db.js';
import * as users from '../storage/users.js';
import * as roles from '../storage/roles.js';
import { addUserRole, roleIdsOfUser } from '../storage/access.js';
import { checkEmail, checkPasswordPolicy, randomPassword } from './user-rules.js';
import { EndpointNotImplemented, InvalidData, InvalidUsage, NoPermission, ObjectDoesNotExist } from './errors.js';
import { ADMIN_ROLE, SERVICE_ROLE } from './access-constants.js';
import type { components } from '../../generated/api.js';
import type { Config } from '../config.js';
import { isIntegrityError } from '../storage/integrity.js';
import { nowStored, toPythonStr, toWire } from '../storage/time.js';
import { emailSettings, sendPasswordRecovery } from './email.js';

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

type UserListItem = components['schemas']['UserListItem'];
type UserDetail = components['schemas']['UserDetail'];
type UserEdit = components['schemas']['UserEditRequest'];

/** cornflow's repr of a user, used in its integrity-error messages. */
const userRepr = (username: string) => `<Username ${username}>`;

function listItem(u: users.UserRow): UserListItem {
  return {
    id: u.id,
    username: u.username,
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    created_at: toPythonStr(u.created_at) ?? '',
    pwd_last_change: toWire(u.pwd_last_change),
  };
}

export async function isAdmin(db: Db, userId: number): Promise<boolean> {
  return (await roleIdsOfUser(db, userId)).includes(ADMIN_ROLE);
}

export async function listUsers(db: Db): Promise<UserListItem[]> {
  return (await users.listUsers(db)).map(listItem);
}

/** GET /user/<id>/: self or admin; another user's profile is cornflow's 400. */
export async function getUser(db: Db, requester: users.UserRow, userId: number): Promise<UserDetail> {
  if (requester.id !== userId && !(await isAdmin(db, requester.id))) {
    throw new InvalidUsage('You have no permission to access given user');
  }
  const u = await users.findUserById(db, userId);
  if (!u) throw new ObjectDoesNotExist();
  return { id: u.id, first_name: u.first_name, last_name: u.last_name, username: u.username, email: u.email, pwd_last_change: toWire(u.pwd_last_change) };
}

/** PUT /user/<id>/, in cornflow's order of checks. */
export async function updateUser(db: Db, authType: Config['authType'], requester: users.UserRow, userId: number, data: UserEdit): Promise<void> {
  if (requester.id !== userId && !(await isAdmin(db, requester.id))) throw new NoPermission();
  const target = await users.findUserById(db, userId);
  if (!target) throw new ObjectDoesNotExist();
  // Users of an external directory have no password here: they are edited there.
  if (target.password === null && authType === 'ldap') throw new EndpointNotImplemented('To edit a user, go to LDAP server');
  if (target.password === null && authType === 'oidc') throw new EndpointNotImplemented('To edit a user, go to the OID provider');
  if (data.password !== undefined) checkPasswordPolicy(data.password);
  if (data.email !== undefined) checkEmail(data.email);

  const changes: users.UserChanges = {};
  for (const key of ['username', 'first_name', 'last_name', 'email'] as const) if (data[key] !== undefined) changes[key] = data[key];
  if (data.password !== undefined) {
    changes.password = await hashPassword(data.password);
    changes.pwd_last_change = nowStored();
  }
  // cornflow's repr shows the username the user would have had.
  const integrity = new InvalidData(`Integrity error on updating with data ${userRepr(changes.username ?? target.username)}`);
  try {
    await db.transaction(async (trx) => {
      if (changes.username !== undefined && (await users.takenByOther(trx, 'username', changes.username, userId))) throw integrity;
      if (changes.email !== undefined && (await users.takenByOther(trx, 'email', changes.email, userId))) throw integrity;
      await users.updateUser(trx, userId, changes);
    });
  } catch (err) {
    if (isIntegrityError(err)) throw integrity;
    throw err;
  }
}

/**
 * DELETE /user/<id>/: self or admin, never a service user. Everything that references the user goes in the
 * same transaction (cornflow leaves executions on other users' instances behind and fails on them).
 */
export async function deleteUser(db: Db, requester: users.UserRow, userId: number): Promise<void> {
  if (requester.id !== userId && !(await isAdmin(db, requester.id))) throw new NoPermission();
  const target = await users.findUserById(db, userId);
  if (!target) throw new ObjectDoesNotExist();
  if ((await roleIdsOfUser(db, userId)).includes(SERVICE_ROLE)) throw new NoPermission();
  try {
    await db.transaction((trx) => users.deleteUserCascade(trx, userId));
  } catch (err) {
    if (isIntegrityError(err)) throw new InvalidData(`Integrity error on deleting with data ${userRepr(target.username)}`);
    throw err;
  }
}

/** PUT /user/<id>/<make_admin>/: adds (non-zero) or removes (0) the admin role; answers the user. */
export async function toggleUserAdmin(db: Db, userId: number, makeAdmin: number): Promise<UserListItem> {
  const target = await users.findUserById(db, userId);
  if (!target) throw new ObjectDoesNotExist();
  if (makeAdmin) {
    // cornflow inserts blindly and reports the unique-constraint failure with the row's fallback repr.
    const integrity = new InvalidData(`Integrity error on saving with data ${userId} has role ${ADMIN_ROLE}`);
    if (await roles.userRoleRowExists(db, userId, ADMIN_ROLE)) throw integrity;
    try {
      await roles.insertUserRole(db, userId, ADMIN_ROLE);
    } catch (err) {
      if (isIntegrityError(err)) throw integrity;
      throw err;
    }
  } else {
    await roles.deleteUserRole(db, userId, ADMIN_ROLE);
  }
  return listItem(target);
}

export const RECOVERY_MESSAGE = 'The password recovery process has started. Check the email inbox.';

/**
 * PUT /user/recover-password/: mails a new random password to the owner of the address and, once sent,
 * stores it. The answer is the same whether or not the address belongs to someone.
 */
export async function recoverPassword(db: Db, config: Config, email: string): Promise<{ message: string }> {
  const settings = emailSettings(config);
  checkEmail(email);
  const user = await users.findUserByEmail(db, email);
  if (!user) return { message: RECOVERY_MESSAGE };
  const password = randomPassword();
  await sendPasswordRecovery(settings, config.serviceName, email, password);
  await users.updateUser(db, user.id, { password: await hashPassword(password), pwd_last_change: nowStored() });
  return { message: RECOVERY_MESSAGE };
}

/**
 * Start-up: every (user, deployed DAG) pair gets a permission_dag row under open deployment, only service
 * users otherwise. cornflow's register_dag_permissions does the same but writes nothing when exactly one
 * pair is missing, and compares the OPEN_DEPLOYMENT string with 1 (so an explicit "1" grants service users only).
 */
export async function registerDagPermissions(db: Db, openDeployment: boolean): Promise<number> {
  const dagIds = await users.deployedDagIds(db);
  const userIds = openDeployment ? await users.allUserIds(db) : await users.userIdsWithRole(db, SERVICE_ROLE);
  const missing = await users.missingDagPairs(db, userIds, dagIds);
  await users.insertDagPermissions(db, missing);
  return missing.length;
}
