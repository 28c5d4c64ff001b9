// Log in, sign up and token checks (cornflow-api.md §2.1): database, LDAP and OpenID Connect logins.
import type { Db } from '../storage/db.js';
import { findUserByUsername, emailExists, type UserRow } from '../storage/users.js';
import { roleIdsOfUser } from '../storage/access.js';
import { replaceUserRoles, updateUserEmail } from '../storage/identity.js';
import { issueToken } from '../auth/tokens.js';
import { bearerToken, type Authenticator } from '../auth/authenticate.js';
import { DirectoryUnavailable, type Directory } from '../auth/ldap.js';
import { AppError, InvalidCredentials, InvalidUsage } from './errors.js';
import { createUser, passwordMatches } from './users.js';
import { checkEmail } from './user-rules.js';
import { SERVICE_ROLE } from './access-constants.js';
import { storedToMillis } from '../storage/time.js';

export interface AuthSettings {
  secret: string;
  tokenDurationHours: number;
  pwdRotationDays: number;
  defaultRole: number;
  openDeployment: boolean;
  /** OpenID Connect mode: service users may still log in with their password. */
  serviceUserAllowPasswordLogin: boolean;
  /** LDAP mode: the directory logins bind against. */
  directory?: Directory;
}

export async function loginWithPassword(db: Db, s: AuthSettings, username: string, password: string) {
  const user = await findUserByUsername(db, username);
  if (!user || !(await passwordMatches(password, user.password))) throw new InvalidCredentials();
  return { change_password: passwordExpired(user, s.pwdRotationDays), token: issueToken(user.username, s.secret, s.tokenDurationHours), id: user.id };
}

export function passwordExpired(user: UserRow, rotationDays: number, now: number = Date.now()): boolean {
  if (!user.pwd_last_change) return false;
  return storedToMillis(user.pwd_last_change) + rotationDays * 86_400_000 < now;
}

export interface SignupInput {
  username: string;
  email: string;
  password: string;
  first_name?: string;
  last_name?: string;
}

export async function signup(db: Db, s: AuthSettings, input: SignupInput) {
  const id = await createUser(db, { ...input, first_name: input.first_name ?? null, last_name: input.last_name ?? null }, [s.defaultRole], {
    openDeployment: s.openDeployment,
  });
  return { token: issueToken(input.username, s.secret, s.tokenDurationHours), id };
}

/** 1 when the token verifies and its user exists, else 0; a missing or malformed header is cornflow's 400. */
export async function tokenValidity(authenticator: Authenticator, req: Parameters<Authenticator['authenticate']>[0]): Promise<0 | 1> {
  bearerToken(req);
  try {
    await authenticator.authenticate(req);
    return 1;
  } catch (err) {
    if (err instanceof AppError) return 0;
    throw err;
  }
}

/** The LDAP server did not answer: a retryable 503 instead of a hang or a 500. */
export const LDAP_UNAVAILABLE = 'The LDAP server is not available, please try again later';

/**
 * LDAP login (cornflow-platform.md §3.6): bind, create the local user on first login (password NULL, e-mail
 * from the directory) or refresh its e-mail, and replace its roles with the mapped groups at every login.
 */
export async function loginWithLdap(db: Db, s: AuthSettings, username: string, password: string) {
  if (!s.directory) throw new AppError(501, 'No authentication method configured on the server');
  let found;
  try {
    found = await s.directory.authenticate(username, password);
  } catch (err) {
    if (err instanceof DirectoryUnavailable) throw new AppError(503, LDAP_UNAVAILABLE);
    throw err;
  }
  if (!found) throw new InvalidCredentials();
  const user = await findUserByUsername(db, username);
  let id: number;
  if (!user) {
    // An entry without a valid mail attribute cannot become a user (cornflow: "Invalid email address.").
    id = await createUser(db, { username, email: found.email ?? '', password: null }, found.roles, { openDeployment: s.openDeployment });
  } else {
    id = user.id;
    if (found.email && found.email !== user.email && isValidEmail(found.email) && !(await emailExists(db, found.email))) {
      await updateUserEmail(db, id, found.email);
    }
    await replaceUserRoles(db, id, found.roles);
  }
  return { token: issueToken(username, s.secret, s.tokenDurationHours), id };
}

function isValidEmail(email: string): boolean {
  try {
    checkEmail(email);
    return true;
  } catch {
    return false;
  }
}

export interface OidcLoginInput {
  username?: string;
  password?: string;
  /** The Authorization header's token (read only when no username and password are given). */
  bearer: () => string;
}

/**
 * OpenID Connect login (cornflow-platform.md §3.4). With username and password: a service user's database
 * login (when SERVICE_USER_ALLOW_PASSWORD_LOGIN), answered with an internal token. Otherwise the bearer
 * token (internal or the provider's) is verified, its `sub` user created on first use, and the token echoed.
 */
export async function loginWithOidc(
  db: Db,
  s: AuthSettings,
  tokenSubject: (token: string) => Promise<string>,
  tokenClaims: (token: string) => Record<string, unknown>,
  input: OidcLoginInput,
) {
  if (input.username && input.password) {
    if (!s.serviceUserAllowPasswordLogin) {
      throw new InvalidUsage('Must provide a token in Authorization header. Cannot log in with username and password');
    }
    const user = await findUserByUsername(db, input.username);
    if (!user || !(await passwordMatches(input.password, user.password))) throw new InvalidCredentials();
    if (!(await roleIdsOfUser(db, user.id)).includes(SERVICE_ROLE)) throw new InvalidUsage('Invalid request');
    return { token: issueToken(user.username, s.secret, s.tokenDurationHours), id: user.id };
  }
  const token = input.bearer();
  const sub = await tokenSubject(token);
  const user = await findUserByUsername(db, sub);
  if (user) return { token, id: user.id };
  const claims = tokenClaims(token);
  const id = await createUser(db, { username: sub, password: null, ...namesFromClaims(sub, claims) }, [s.defaultRole], {
    openDeployment: s.openDeployment,
  });
  return { token, id };
}

/** cornflow's defaults: e-mail `<sub>@cornflow.org`; names from the claims, else the e-mail's local part split on ".". */
export function namesFromClaims(sub: string, claims: Record<string, unknown>): { email: string; first_name: string; last_name: string } {
  const email = typeof claims.email === 'string' ? claims.email : `${sub}@cornflow.org`;
  const local = email.split('@')[0] ?? '';
  const [first, last] = local.includes('.') ? local.split('.') : [local, ''];
  return {
    email,
    first_name: typeof claims.given_name === 'string' ? claims.given_name : (first ?? ''),
    last_name: typeof claims.family_name === 'string' ? claims.family_name : (last ?? ''),
  };
}
