// Handlers of the auth tag: login, signup, checkToken.
import type { OpHandler } from './handlers.js';
import { loginWithPassword, signup as signupUser, tokenValidity } from '../domain/auth.js';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';

export const login: OpHandler<'login'> = async ({ body, deps }) => ({
  status: 200,
  body: await loginWithPassword(deps.db, deps.auth, body.username, body.password),
});

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
