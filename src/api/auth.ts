// Handlers of the auth tag: login, signup, checkToken.
import type { OpHandler } from './handlers.js';
import * as jose from 'jose';
import { loginWithLdap, loginWithOidc, loginWithPassword, signup as signupUser, tokenValidity } from '../domain/auth.js';
import { AppError, AUTH_MESSAGES, ConfigurationError } from '../domain/errors.js';
import { bearerToken } from '../auth/authenticate.js';

// In database and LDAP mode the validator requires username and password (see effectiveSpec in app.ts).
export const login: OpHandler<'login'> = async ({ body, deps, req }) => {
  const { username = '', password = '' } = body;
  switch (deps.config.authType) {
    case 'db':
      return { status: 200, body: await loginWithPassword(deps.db, deps.auth, username, password) };
    case 'ldap':
      return { status: 200, body: await loginWithLdap(deps.db, deps.auth, username, password) };
    case 'oidc': {
      const tokenSubject = deps.authenticator.tokenSubject;
      if (!tokenSubject) throw new ConfigurationError();
      const result = await loginWithOidc(deps.db, deps.auth, tokenSubject, (t) => jose.decodeJwt(t), {
        username: body.username,
        password: body.password,
        bearer: () => bearerToken(req),
      });
      return { status: 200, body: result };
    }
  }
};

export const signup: OpHandler<'signup'> = async ({ body, deps, req }) => {
  // SIGNUP_ACTIVATED=2: only a user whose roles grant POST on the signup view may create users.
  if (deps.config.signupActivated === 2 && !req.cornflowUser) {
    throw req.cornflowAuthError ?? new AppError(400, AUTH_MESSAGES.missingHeader);
  }
  return { status: 201, body: await signupUser(deps.db, deps.auth, body) };
};

export const checkToken: OpHandler<'checkToken'> = async ({ deps, req }) => ({
  status: 200,
  body: { valid: await tokenValidity(deps.authenticator, req) },
});

export const authHandlers = { login, signup, checkToken };
