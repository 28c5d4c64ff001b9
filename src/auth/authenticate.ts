// Who is calling: the Authorization header checks, token verification through passport-jwt, and the user
// lookup, each failing with cornflow's status and message (400 for every authentication failure).
import passportDefault, { Passport } from 'passport';
import { Strategy as JwtStrategy } from 'passport-jwt';
import jwt from 'jsonwebtoken';
import type { Request, Response } from 'express';
import type { Db } from '../storage/db.js';
import { findUserByUsername, type UserRow } from '../storage/users.js';
import { userWithPermission, type RolesWithPermission } from '../storage/access.js';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';
import { hmacKey, TOKEN_ISSUER } from './tokens.js';
import { storedToMillis } from '../storage/time.js';
import type { OidcVerifier } from './oidc.js';
import { rememberVerifiedTokens } from './verified-tokens.js';

/**
 * The bearer token of a request, or cornflow's 400 for a missing or malformed header. The token is the
 * second space-separated word, as cornflow reads it: `Bearer  <token>` (two spaces) carries an empty token.
 */
export function bearerToken(req: Pick<Request, 'headers'>): string {
  const header = req.headers.authorization;
  if (header === undefined) throw new AppError(400, AUTH_MESSAGES.missingHeader);
  if (header === '') return '';
  if (!header.startsWith('Bearer ')) throw new AppError(400, AUTH_MESSAGES.badHeader);
  return header.split(' ')[1] ?? '';
}

/** passport's token extractor: the token bearerToken reads (passport-jwt's own skips extra whitespace). */
function tokenOf(req: Request): string | null {
  try {
    return bearerToken(req) || null;
  } catch {
    return null;
  }
}

/**
 * PyJWT (cornflow) refuses a token issued in the future (`iat` after now, no leeway) or whose `iat` is not a
 * number; jsonwebtoken and jose only check `iat` against a maximum age.
 */
export function issuedInFuture(claims: { iat?: unknown }, now: number = Date.now() / 1000): boolean {
  if (claims.iat === undefined) return false;
  return typeof claims.iat !== 'number' || !Number.isFinite(claims.iat) || claims.iat > now;
}

interface JwtFailure {
  name?: string;
  message?: string;
  error?: AppError;
}

/** The permission an authenticated request needs: read with the token's user, in the same query. */
export interface AccessQuery {
  actionId: number;
  urlRule: string;
}

/** What the user lookup found for an AccessQuery: the user's roles and whether one grants it. */
export interface KnownAccess extends AccessQuery, RolesWithPermission {}

const pendingAccess = new WeakMap<Request, AccessQuery>();
const knownAccess = new WeakMap<UserRow, KnownAccess>();

/** The access read with this user (the user object authenticate() returned), if its request asked for one. */
export function accessReadWith(user: UserRow): KnownAccess | undefined {
  return knownAccess.get(user);
}

export interface Authenticator {
  /**
   * Verifies the request's token and returns its user, or throws cornflow's 400. With `access`, the user's roles
   * and that permission are read in the same query (accessReadWith(user)).
   */
  authenticate(req: Request, access?: AccessQuery): Promise<UserRow>;
  /** OpenID Connect mode: the `sub` of a valid internal or provider token (no user lookup), or cornflow's 400. */
  tokenSubject?(token: string): Promise<string>;
}

/**
 * A token names its user by username, and usernames are free again once a user is deleted: an internal token
 * issued before the account it names was created belongs to an earlier holder of that username, and opens
 * nothing (as the deleted user's token would not). Not in cornflow, see docs/compatibility.md.
 */
export function issuedBeforeAccount(claims: { iat?: unknown }, user: Pick<UserRow, 'created_at'>): boolean {
  const created = storedToMillis(user.created_at);
  return typeof claims.iat === 'number' && Number.isFinite(created) && claims.iat < Math.floor(created / 1000);
}

/**
 * OpenID Connect mode (cornflow's order): the token is tried as an internal HS256 token first; an expired
 * internal token is expired, any other failure sends it to the provider's keys. `internalIat` is the `iat` of
 * an internal token.
 */
function oidcClaims(token: string, secret: string, oidc: OidcVerifier): Promise<{ sub: string; internalIat?: number }> {
  try {
    const claims = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'], issuer: TOKEN_ISSUER }) as { sub?: unknown; iat?: unknown };
    if (typeof claims.sub === 'string' && !issuedInFuture(claims)) {
      return Promise.resolve({ sub: claims.sub, ...(typeof claims.iat === 'number' ? { internalIat: claims.iat } : {}) });
    }
  } catch (err) {
    if ((err as JwtFailure).name === 'TokenExpiredError') return Promise.reject(new AppError(400, AUTH_MESSAGES.expired));
  }
  return oidc.verify(token).then((claims) => ({ sub: claims.sub }));
}

export function oidcSubject(token: string, secret: string, oidc: OidcVerifier): Promise<string> {
  return oidcClaims(token, secret, oidc).then((c) => c.sub);
}

/** A passport strategy for OpenID Connect mode: internal or provider token, then the user named by `sub`. */
class OidcStrategy extends passportDefault.Strategy {
  override name = 'oidc';

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly oidc: OidcVerifier,
  ) {
    super();
  }

  override authenticate(req: Request): void {
    const token = tokenOf(req);
    if (!token) return this.fail({ name: 'JsonWebTokenError' }, 400);
    oidcClaims(token, this.secret, this.oidc)
      .then(async ({ sub, internalIat }) => {
        const user = await findUserByUsername(this.db, sub);
        const current = user && !issuedBeforeAccount({ iat: internalIat }, user);
        return current ? this.success(user) : this.fail({ name: 'UnknownUser' }, 400);
      })
      .catch((err: unknown) => (err instanceof AppError ? this.fail({ name: 'AppError', error: err }, 400) : this.error(err)));
  }
}

/** The token's user, and with an AccessQuery its roles and that permission in the same query. */
async function findUser(db: Db, username: string, access: AccessQuery | undefined): Promise<UserRow | undefined> {
  if (!access) return findUserByUsername(db, username);
  const found = await userWithPermission(db, username, access.actionId, access.urlRule);
  if (found) knownAccess.set(found.user, { ...access, ...found.access });
  return found?.user;
}

export function createAuthenticator(
  db: Db,
  secret: string,
  badTokenMessage: string = AUTH_MESSAGES.badToken,
  oidc?: OidcVerifier,
): Authenticator {
  rememberVerifiedTokens();
  const passport = new Passport();
  const strategy = oidc ? 'oidc' : 'jwt';
  if (oidc) passport.use('oidc', new OidcStrategy(db, secret, oidc));
  passport.use(
    'jwt',
    new JwtStrategy(
      {
        jwtFromRequest: tokenOf,
        secretOrKey: hmacKey(secret) as unknown as string,
        issuer: TOKEN_ISSUER,
        algorithms: ['HS256'],
        passReqToCallback: true,
      },
      (req: Request, claims: { sub?: unknown; iat?: unknown }, done: (err: unknown, user?: UserRow | false, info?: unknown) => void) => {
        if (typeof claims.sub !== 'string' || issuedInFuture(claims)) return done(null, false, { name: 'JsonWebTokenError' });
        findUser(db, claims.sub, pendingAccess.get(req)).then(
          (user) => (user && !issuedBeforeAccount(claims, user) ? done(null, user) : done(null, false, { name: 'UnknownUser' })),
          (err: unknown) => done(err),
        );
      },
    ),
  );

  return {
    async authenticate(req, access) {
      bearerToken(req);
      if (access) pendingAccess.set(req, access);
      return new Promise<UserRow>((resolve, reject) => {
        const middleware = passport.authenticate(strategy, { session: false }, (err: unknown, user: UserRow | false, info: JwtFailure | undefined) => {
          if (err) return reject(err);
          if (user) return resolve(user);
          if (info?.name === 'TokenExpiredError') return reject(new AppError(400, AUTH_MESSAGES.expired));
          if (info?.name === 'UnknownUser') return reject(new AppError(400, AUTH_MESSAGES.unknownUser));
          if (info?.error instanceof AppError) return reject(info.error);
          return reject(new AppError(400, badTokenMessage));
        });
        middleware(req, {} as Response, reject);
      });
    },
    ...(oidc ? { tokenSubject: (token: string) => oidcSubject(token, secret, oidc) } : {}),
  };
}
