// The one error path: domain errors, validator, body-parser and authentication failures all become
// cornflow's bodies here. A 5xx never carries a stack or a schema path; it is logged with the request id.
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';
import { bearerToken } from '../auth/authenticate.js';
import { flaskJson, validationMessage, type ValidatorIssue } from './wire.js';
import { dataExceptionKind, type DataExceptionKind } from '../storage/integrity.js';

export const NOT_FOUND_BODY = {
  message: '404 Not Found',
  error: '404 Not Found. The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
};
export const INTERNAL_ERROR_BODY = {
  message: '500 Internal Server Error',
  error: 'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
};
export const DATABASE_UNAVAILABLE_BODY = { error: 'The database is not available, please try again later' };
const METHOD_NOT_ALLOWED = 'The method is not allowed for the requested URL.';

/** Error responses skip response validation on purpose (tests check them against the spec instead). */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(flaskJson(body));
}

function appErrorBody(err: AppError): Record<string, unknown> {
  // cornflow merges the payload first, so `error` comes last.
  return err.body ?? { ...err.payload, error: err.message };
}

// Socket errors (the database host cannot be reached or resolved), PostgreSQL's admin shutdown / crash /
// cannot connect now (57P0x), connection exceptions (08xxx), too many connections (53300), a statement cancelled
// by the role's statement_timeout (57014), and SQLite's lock wait running out.
const DB_UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '57014', 'SQLITE_BUSY',
]);

function isDatabaseUnavailable(err: { code?: unknown; name?: unknown; message?: unknown }): boolean {
  if (typeof err.code === 'string' && DB_UNAVAILABLE.has(err.code)) return true;
  if (err.name === 'KnexTimeoutError') return true;
  if (typeof err.message !== 'string') return false;
  // pg's connect timeout (CORNFLOW_DB_CONNECT_TIMEOUT) fails with a bare Error('timeout expired').
  return err.message === 'timeout expired' || /Connection terminated|connection is closed|terminating connection/i.test(err.message);
}

/** The 400 for a value PostgreSQL refused as data (src/storage/integrity.ts; cornflow answered these 500). */
const DATA_EXCEPTION_MESSAGES: Record<DataExceptionKind, string> = {
  'too long': 'The data sent is not valid: a text is longer than its database column allows.',
  'out of range': 'The data sent is not valid: a number is out of the range its database column allows.',
  invalid: 'The data sent is not valid.',
};

interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  message?: string;
  errors?: ValidatorIssue[];
  headers?: Record<string, string>;
  code?: unknown;
  name?: unknown;
}

function authFailure(req: Request): AppError {
  if (req.cornflowAuthError instanceof AppError) return req.cornflowAuthError;
  try {
    bearerToken(req);
  } catch (e) {
    if (e instanceof AppError) return e;
  }
  return new AppError(400, AUTH_MESSAGES.badHeader);
}

function tooLarge(limit: number | undefined): string {
  return `The request body is larger than the limit of ${limit ?? '?'} bytes (CORNFLOW_MAX_BODY_SIZE).`;
}

export function errorHandler(logger: Logger, maxBodyBytes?: number): ErrorRequestHandler {
  return (raw: unknown, req, res, _next) => {
    // Already answered (e.g. 408 by the minimum body rate in src/http-limits.ts, while the body was being read).
    if (res.headersSent) return;
    const err = (raw ?? {}) as HttpLikeError;
    if (raw instanceof AppError) return sendJson(res, raw.status, appErrorBody(raw));
    // The security handler failed for a reason other than the request's credentials (the database did not
    // answer the user or permission lookup): the validator reports it as a 401, but it is the server's failure.
    const authError = req.cornflowAuthError;
    if (authError !== undefined && authError !== null && !(authError instanceof AppError) && !req.cornflowUser) return serverFailure(authError);
    if (req.cornflowAuthError !== undefined && !req.cornflowUser && (err.status === 401 || err.status === 400 || err.status === 403)) {
      const failure = authFailure(req);
      return sendJson(res, failure.status, appErrorBody(failure));
    }
    const status = err.status ?? err.statusCode;
    if (status === 401) {
      // express-openapi-validator's own header checks ran before our security handler.
      const failure = authFailure(req);
      return sendJson(res, failure.status, appErrorBody(failure));
    }
    switch (err.type) {
      case 'entity.parse.failed':
        return sendJson(res, 400, { messages: { json: ['Invalid JSON body.'] } });
      case 'entity.too.large':
        return sendJson(res, 413, { error: tooLarge((err as { limit?: number }).limit ?? maxBodyBytes) });
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return sendJson(res, 415, { error: err.message ?? 'Unsupported encoding' });
      case 'request.aborted':
        return sendJson(res, 400, { error: 'The request was aborted by the client.' });
    }
    // The multipart parser's limits (a file over CORNFLOW_MAX_BODY_SIZE, more than one file).
    if (status === 413) return sendJson(res, 413, { error: err.message === 'Too many files' ? 'Only one file may be uploaded per request.' : tooLarge(maxBodyBytes) });
    if (status === 404) return sendJson(res, 404, NOT_FOUND_BODY);
    if (status === 405) {
      if (err.headers) res.set(err.headers);
      return sendJson(res, 405, { message: METHOD_NOT_ALLOWED });
    }
    if (status === 415) return sendJson(res, 415, { message: err.message ?? 'Unsupported Media Type' });
    if (status === 400 && Array.isArray(err.errors)) {
      // A path value Werkzeug's converters would not match is a 404, not a validation error.
      if (err.errors.some((e) => e.path.startsWith('/params/'))) return sendJson(res, 404, NOT_FOUND_BODY);
      return sendJson(res, 400, { error: validationMessage(err.errors, req) });
    }
    if (status !== undefined && status >= 400 && status < 500) return sendJson(res, status, { error: err.message ?? 'Bad request' });
    return serverFailure(raw);

    function serverFailure(failure: unknown) {
      const refused = dataExceptionKind(failure);
      if (refused !== undefined) {
        logger.info({ reqId: req.requestId, code: (failure as { code: string }).code }, 'data refused by the database');
        return sendJson(res, 400, { error: DATA_EXCEPTION_MESSAGES[refused] });
      }
      if (isDatabaseUnavailable((failure ?? {}) as HttpLikeError)) {
        logger.error({ reqId: req.requestId, err: failure }, 'database unavailable');
        return sendJson(res, 503, DATABASE_UNAVAILABLE_BODY);
      }
      logger.error({ reqId: req.requestId, err: failure }, 'internal error');
      return sendJson(res, 500, INTERNAL_ERROR_BODY);
    }
  };
}
