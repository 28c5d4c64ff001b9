// express-openapi-validator's security handler for `bearerAuth`: verify the token, then check the
// permission of the user's roles for (method, view). Runs before request validation, as in cornflow.
import type { Request } from 'express';
import type { AppDeps } from '../api/context.js';
import { accessReadWith, bearerToken } from './authenticate.js';
import { actionForMethod } from '../domain/access-constants.js';
import { checkPermission } from '../domain/access.js';
import { rememberRoles } from '../domain/ownership.js';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';

interface OpenApiRequest extends Request {
  openapi?: { schema?: { operationId?: string } };
}

export function securityHandler(deps: AppDeps) {
  return async (req: OpenApiRequest): Promise<boolean> => {
    try {
      const meta = deps.routes.byOperationId.get(req.openapi?.schema?.operationId ?? '');
      if (!meta) throw new AppError(403, AUTH_MESSAGES.viewMissing);
      if (meta.permission === 'none') {
        bearerToken(req);
        return true;
      }
      const view = meta.view ? deps.routes.view(meta.view) : undefined;
      const actionId = actionForMethod(req.method);
      // The permission is read with the token's user (one query); refusals are decided below, after authentication.
      const user = await deps.authenticator.authenticate(req, view && actionId !== undefined ? { actionId, urlRule: view.url_rule } : undefined);
      // The request log names the user even when the permission check below refuses (403).
      if (req.res) req.res.locals.logUser = { id: user.id, username: user.username };
      if (!view) throw new AppError(403, AUTH_MESSAGES.viewMissing);
      rememberRoles(user, await checkPermission(deps.db, user.id, req.method, view.url_rule, accessReadWith(user)));
      req.cornflowUser = user;
      return true;
    } catch (err) {
      req.cornflowAuthError = err;
      throw err;
    }
  };
}
