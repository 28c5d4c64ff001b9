// Users from the command line: listing, and cornflow's non-expiring BI token.
import jwt from 'jsonwebtoken';
import type { Db } from '../storage/db.js';
import { findUserById, findUserByUsername } from '../storage/users.js';
import { roleIdsOfUser } from '../storage/access.js';
import { passwordMatches } from '../domain/users.js';
import { ROLE_NAMES, SERVICE_ROLE } from '../domain/access-constants.js';
import { NoPermission, ObjectDoesNotExist } from '../domain/errors.js';
import { TOKEN_ISSUER } from '../auth/tokens.js';
import { CliFailure } from './errors.js';

export interface UserListing {
  id: number;
  username: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  roles: string[];
  created_at: string;
}

export async function listUsers(db: Db): Promise<UserListing[]> {
  const users = await db('users')
    .select('id', 'username', 'email', 'first_name', 'last_name', 'created_at')
    .whereNull('deleted_at')
    .orderBy('id');
  const links = await db('user_role').select('user_id', 'role_id').whereNull('deleted_at').orderBy('role_id');
  const roles = new Map<number, string[]>();
  for (const l of links as { user_id: number | string; role_id: number | string }[]) {
    const list = roles.get(Number(l.user_id)) ?? [];
    list.push(ROLE_NAMES[Number(l.role_id)] ?? `custom_role_${l.role_id}`);
    roles.set(Number(l.user_id), list);
  }
  return (users as (Omit<UserListing, 'roles' | 'created_at'> & { created_at: unknown })[]).map((u) => ({
    ...u,
    id: Number(u.id),
    created_at: String(u.created_at),
    roles: roles.get(Number(u.id)) ?? [],
  }));
}

/**
 * cornflow's `users create token`: a token without expiry for user `userId`, signed with SECRET_BI_KEY, for
 * the BI endpoints. Only a service user who gives their password may create one.
 */
export async function createBiToken(
  db: Db,
  biKey: string | undefined,
  userId: number,
  asking: { username: string; password: string },
): Promise<string> {
  if (!biKey) throw new CliFailure('SECRET_BI_KEY is not set: BI tokens are signed with it');
  const asker = await findUserByUsername(db, asking.username);
  // cornflow crashes on an unknown asking user; here it is the same refusal as a wrong password.
  const allowed =
    asker !== undefined &&
    (await passwordMatches(asking.password, asker.password)) &&
    (await roleIdsOfUser(db, asker.id)).includes(SERVICE_ROLE);
  if (!allowed) throw new NoPermission('The asking user has no permissions to generate tokens');
  const user = await findUserById(db, userId);
  if (!user) throw new ObjectDoesNotExist('User does not exist');
  // iat, sub, iss and no exp, as cornflow's BIAuth.generate_token (jsonwebtoken adds iat).
  return jwt.sign({ sub: user.username, iss: TOKEN_ISSUER }, biKey, { algorithm: 'HS256' });
}
