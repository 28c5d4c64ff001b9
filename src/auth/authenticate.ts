// Who is calling: the Authorization header checks, token verification through passport-jwt, and the user
// lookup, each failing with cornflow's status and message (400 for every authentication failure).
import { Passport } from 'passport';
import { Strategy as JwtStrategy, ExtractJwt } from 'passport-jwt';
import type { Request, Response } from 'express';
import type { Db } from '../storage/db.js';
import { findUserByUsername, type UserRow } from '../storage/users.js';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';
import { TOKEN_ISSUER } from './tokens.js';

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
}

export interface Authenticator {
  /** Verifies the request's token and returns its user, or throws cornflow's 400. */
  authenticate(req: Request): Promise<UserRow>;
}

export function createAuthenticator(db: Db, secret: string, badTokenMessage: string = AUTH_MESSAGES.badToken): Authenticator {
  const passport = new Passport();
  passport.use(
    'jwt',
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: secret,
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
        const middleware = passport.authenticate('jwt', { session: false }, (err: unknown, user: UserRow | false, info: JwtFailure | undefined) => {
          if (err) return reject(err);
          if (user) return resolve(user);
          if (info?.name === 'TokenExpiredError') return reject(new AppError(400, AUTH_MESSAGES.expired));
          if (info?.name === 'UnknownUser') return reject(new AppError(400, AUTH_MESSAGES.unknownUser));
          return reject(new AppError(400, badTokenMessage));
        });
        middleware(req, {} as Response, reject);
      });
    },
  };
}
