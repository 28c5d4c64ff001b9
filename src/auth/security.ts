// express-openapi-validator's security handler for `bearerAuth`: verify the token, then check the
// permission of the user's roles for (method, view). Runs before request validation, as in cornflow.
import type { Request } from 'express';
import type { AppDeps } from '../api/context.js';
import { bearerToken } from './authenticate.js';
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
      const user = await deps.authenticator.authenticate(req);
      // The request log names the user even when the permission check below refuses (403).
      if (req.res) req.res.locals.logUser = { id: user.id, username: user.username };
      const view = meta.view ? deps.routes.view(meta.view) : undefined;
      if (!view) throw new AppError(403, AUTH_MESSAGES.viewMissing);
      rememberRoles(user, await checkPermission(deps.db, user.id, req.method, view.url_rule));
      req.cornflowUser = user;
      return true;
    } catch (err) {
      req.cornflowAuthError = err;
      throw err;
    }
  };
}
