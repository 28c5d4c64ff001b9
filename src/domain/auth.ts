// Log in, sign up and token checks (cornflow-api.md §2.1) for database authentication.
import type { Db } from '../storage/db.js';
import { findUserByUsername, type UserRow } from '../storage/users.js';
import { issueToken } from '../auth/tokens.js';
import { bearerToken, type Authenticator } from '../auth/authenticate.js';
import { AppError, InvalidCredentials } from './errors.js';
import { createUser, passwordMatches } from './users.js';
import { storedToMillis } from '../storage/time.js';

export interface AuthSettings {
  secret: string;
  tokenDurationHours: number;
  pwdRotationDays: number;
  defaultRole: number;
  openDeployment: boolean;
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
