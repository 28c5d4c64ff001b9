// Who is calling: the Authorization header checks, token verification through passport-jwt, and the user
// lookup, each failing with cornflow's status and message (400 for every authentication failure).
import passportDefault, { Passport } from 'passport';
import { Strategy as JwtStrategy, ExtractJwt } from 'passport-jwt';
import jwt from 'jsonwebtoken';
import type { Request, Response } from 'express';
import type { Db } from '../storage/db.js';
import { findUserByUsername, type UserRow } from '../storage/users.js';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';
import { hmacKey, TOKEN_ISSUER } from './tokens.js';
import type { OidcVerifier } from './oidc.js';

/** The bearer token of a request, or cornflow's 400 for a missing or malformed header. */
export function bearerToken(req: Pick<Request, 'headers'>): string {
  const header = req.headers.authorization;
  if (header === undefined) throw new AppError(400, AUTH_MESSAGES.missingHeader);
  if (header === '') return '';
  if (!header.startsWith('Bearer ')) throw new AppError(400, AUTH_MESSAGES.badHeader);
  return header.slice('Bearer '.length);
}

interface JwtFailure {
  name?: string;
  message?: string;
  error?: AppError;
}

export interface Authenticator {
  /** Verifies the request's token and returns its user, or throws cornflow's 400. */
  authenticate(req: Request): Promise<UserRow>;
  /** OpenID Connect mode: the `sub` of a valid internal or provider token (no user lookup), or cornflow's 400. */
  tokenSubject?(token: string): Promise<string>;
}

/**
 * OpenID Connect mode (cornflow's order): the token is tried as an internal HS256 token first; an expired
 * internal token is expired, any other failure sends it to the provider's keys.
 */
export function oidcSubject(token: string, secret: string, oidc: OidcVerifier): Promise<string> {
  try {
    const claims = jwt.verify(token, hmacKey(secret), { algorithms: ['HS256'], issuer: TOKEN_ISSUER }) as { sub?: unknown };
    if (typeof claims.sub === 'string') return Promise.resolve(claims.sub);
  } catch (err) {
    if ((err as JwtFailure).name === 'TokenExpiredError') return Promise.reject(new AppError(400, AUTH_MESSAGES.expired));
  }
  return oidc.verify(token).then((claims) => claims.sub);
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
    const token = ExtractJwt.fromAuthHeaderAsBearerToken()(req);
    if (!token) return this.fail({ name: 'JsonWebTokenError' }, 400);
    oidcSubject(token, this.secret, this.oidc)
      .then(async (sub) => {
        const user = await findUserByUsername(this.db, sub);
        return user ? this.success(user) : this.fail({ name: 'UnknownUser' }, 400);
      })
      .catch((err: unknown) => (err instanceof AppError ? this.fail({ name: 'AppError', error: err }, 400) : this.error(err)));
  }
}

export function createAuthenticator(
  db: Db,
  secret: string,
  badTokenMessage: string = AUTH_MESSAGES.badToken,
  oidc?: OidcVerifier,
): Authenticator {
  const passport = new Passport();
  const strategy = oidc ? 'oidc' : 'jwt';
  if (oidc) passport.use('oidc', new OidcStrategy(db, secret, oidc));
  passport.use(
    'jwt',
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: hmacKey(secret) as unknown as string,
        issuer: TOKEN_ISSUER,
        algorithms: ['HS256'],
      },
      (claims: { sub?: unknown }, done: (err: unknown, user?: UserRow | false, info?: unknown) => void) => {
        if (typeof claims.sub !== 'string') return done(null, false, { name: 'JsonWebTokenError' });
        findUserByUsername(db, claims.sub).then(
          (user) => (user ? done(null, user) : done(null, false, { name: 'UnknownUser' })),
          (err: unknown) => done(err),
        );
      },
    ),
  );

  return {
    async authenticate(req) {
      bearerToken(req);
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
