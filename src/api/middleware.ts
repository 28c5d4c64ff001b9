// The wire middleware that runs before validation: request ids and logs, CORS, trailing-slash redirects,
// OPTIONS, the Content-Encoding gate, cornflow's JSON serialisation, and routes switched off by configuration.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { RouteTable } from './spec.js';
import { HTTP_METHODS } from './spec.js';
import { pyRepr, sendFlaskJson } from './wire.js';
import { AppError } from '../domain/errors.js';
import { NOT_FOUND_BODY, sendJson } from './errors.js';

/** Who made the request, for the request log: set by the security handler as soon as the token is verified. */
export interface LogUser {
  id: number;
  username: string;
}

/**
 * One JSON line per request, written when the response is finished: request id, user, operationId, method,
 * path (no query string), status and latency. Never headers, tokens or bodies. 5xx are logged at error level.
 */
export function requestLog(logger: Logger, routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // A proxy's request id is kept when it looks like one (no log injection through a long or odd header).
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    res.on('finish', () => {
      const op = routes.operation(req.path, req.method);
      const user = res.locals.logUser as LogUser | undefined;
      const entry = {
        reqId: req.requestId,
        userId: user?.id,
        user: user?.username,
        operationId: op?.operationId,
        method: req.method,
        path: req.originalUrl.split('?', 1)[0],
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
      };
      if (res.statusCode >= 500) logger.error(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  };
}

const CORS_METHODS = 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT';

/** flask-cors as cornflow configures it: every origin (or the CORS_ORIGINS list), no credentials. */
export function cors(origins: string): RequestHandler {
  const allowed = origins === '*' ? null : new Set(origins.split(',').map((o) => o.trim()));
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (allowed && !allowed.has(origin)) return next();
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.vary('Origin');
    } else if (!allowed) {
      res.setHeader('Access-Control-Allow-Origin', '*');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
      const headers = req.headers['access-control-request-headers'];
      if (headers) res.setHeader('Access-Control-Allow-Headers', headers);
      return res.status(200).end();
    }
    next();
  };
}

function redirectPage(location: string): string {
  return `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${location}">${location}</a>. If not, click the link.\n`;
}

/** Werkzeug's strict_slashes and merge_slashes: 308 to the canonical URL of a known route. */
export function canonicalUrls(routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    let path = req.path.replace(/\/{2,}/g, '/');
    if (!path.endsWith('/') && routes.match(`${path}/`)) path = `${path}/`;
    if (path === req.path || !routes.match(path)) return next();
    const query = req.originalUrl.slice(req.originalUrl.indexOf('?') >= 0 ? req.originalUrl.indexOf('?') : req.originalUrl.length);
    const location = `${req.protocol}://${req.get('host')}${path}${query}`;
    res.status(308).setHeader('Location', location);
    res.type('text/html; charset=utf-8').send(redirectPage(location));
  };
}

/** Flask answers OPTIONS on every route with 200 and the Allow header. */
export function options(routes: RouteTable): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'OPTIONS') return next();
    const route = routes.match(req.path);
    if (!route) return next();
    const methods = HTTP_METHODS.filter((m) => route.operations[m]).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    res.setHeader('Allow', [...methods, 'OPTIONS'].sort().join(', '));
    res.status(200).end();
  };
}

/**
 * cornflow inflates request bodies only on its flask-inflate routes and only for `Content-Encoding: gzip`;
 * any other value is ignored (the official client sends `br` with plain bodies), so drop the header.
 */
export function contentEncodingGate(routes: RouteTable): RequestHandler {
  return (req, _res, next) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && !(encoding === 'gzip' && routes.operation(req.path, req.method)?.inflate)) {
      delete req.headers['content-encoding'];
    }
    next();
  };
}

/**
 * Like Flask, a JSON operation called with another content type (or no body) sees an empty object, which
 * then fails validation with field errors instead of a 415.
 */
export function jsonBodyDefault(routes: RouteTable, jsonOperations: Set<string>): RequestHandler {
  return (req, _res, next) => {
    const op = routes.operation(req.path, req.method);
    if (op && jsonOperations.has(op.operationId)) {
      const type = req.headers['content-type'] ?? '';
      if (!/json/i.test(type) || req.body === undefined) {
        req.headers['content-type'] = 'application/json';
        req.body = {};
      }
    }
    next();
  };
}

/** Responses are written as flask.jsonify writes them. Installed before the validator wraps res.json. */
export const flaskResponses: RequestHandler = (_req, res, next) => {
  res.json = function json(body: unknown) {
    return sendFlaskJson(this, body);
  };
  next();
};

/** Operations registered only under some configuration answer 404, as unregistered Flask routes do. */
export function disabledOperations(routes: RouteTable, disabled: Set<string>): RequestHandler {
  return (req, res, next) => {
    const op = routes.operation(req.path, req.method);
    if (op && disabled.has(op.operationId)) return sendJson(res, 404, NOT_FOUND_BODY);
    next();
  };
}

export const notFound: RequestHandler = (_req, res) => sendJson(res, 404, NOT_FOUND_BODY);

/** What Python's int() reads (and so cornflow's marshmallow Int): optional sign and blanks, decimal digits only. */
const PYTHON_INT = /^\s*[+-]?\d+\s*$/;

/**
 * The validator coerces query strings with Number(), which also takes "0x10", "1e3" or " " (0); cornflow answers
 * 400 for those. Reads the raw query string, after authentication and validation, so error precedence is unchanged.
 */
export function queryIntegers(req: Request, names: readonly string[]): void {
  if (!names.length) return;
  const raw = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  const bad = names.filter((name) => raw.getAll(name).some((v) => !PYTHON_INT.test(v)));
  if (bad.length) throw new AppError(400, pyRepr(new Map([['query', new Map(bad.map((name) => [name, ['Not a valid integer.']]))]])));
}
