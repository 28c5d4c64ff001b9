// createApp: the whole middleware order, top to bottom. Everything the app needs comes in through deps.
import express, { type RequestHandler } from 'express';
import compression from 'compression';
import * as OpenApiValidator from 'express-openapi-validator';
import type { AppDeps } from './api/context.js';
import { handlers, type HandlerMap } from './api/handlers.js';
import { errorHandler } from './api/errors.js';
import { docsRouter } from './api/docs.js';
import {
  canonicalUrls,
  contentEncodingGate,
  cors,
  disabledOperations,
  flaskResponses,
  jsonBodyDefault,
  notFound,
  options,
  queryIntegers,
  requestLog,
} from './api/middleware.js';
import { securityHandler } from './auth/security.js';
import { jsonBodyParsers } from './api/json-body.js';
import { ForwardLedger, legacyProxy } from './api/legacy-proxy.js';
import { fastRouteLookup } from './api/eov-route-lookup.js';

/** Naive (cornflow) and zoned ISO date-times; ajv's RFC 3339 check rejects cornflow's naive values. */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:?\d{2})?$/i;

function adapt(operationId: string, deps: AppDeps): RequestHandler {
  const handler = (handlers[operationId as keyof HandlerMap] ?? deps.pluginHandlers?.[operationId]) as unknown as (ctx: object) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
  return async (req, res) => {
    // The validator's coerced path values (express may hand the last parameter back as a string).
    const params = (req as { openapi?: { pathParams?: Record<string, unknown> } }).openapi?.pathParams ?? req.params;
    queryIntegers(req, deps.routes.byOperationId.get(operationId)?.integerQuery ?? []);
    const reply = await handler({ params, query: req.query, body: req.body, user: req.cornflowUser, deps, req });
    if (reply.headers) res.set(reply.headers);
    // Binary replies (execution files download) are sent as they are.
    if (Buffer.isBuffer(reply.body)) res.status(reply.status).send(reply.body);
    else res.status(reply.status).json(reply.body);
  };
}

/**
 * The operation the validator matched (req.openapi.schema.operationId) goes to its handler from the typed map.
 * Every operation of the served spec must have one: checked here, at start-up.
 */
function dispatch(deps: AppDeps): RequestHandler {
  const byId = new Map<string, RequestHandler>();
  for (const route of deps.routes.routes) {
    for (const op of Object.values(route.operations)) {
      if (!op) continue;
      if (!(op.operationId in handlers || op.operationId in (deps.pluginHandlers ?? {}))) throw new Error(`no handler for ${op.operationId} (${route.path})`);
      byId.set(op.operationId, adapt(op.operationId, deps));
    }
  }
  return (req, res, next) => {
    const operationId = (req as { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
    const handler = operationId === undefined ? undefined : byId.get(operationId);
    return handler ? handler(req, res, next) : next();
  };
}

/**
 * The contract documents signup's authentication as optional because it depends on SIGNUP_ACTIVATED; the
 * validator gets the effective rule (2: a token is required, checked before the body as in cornflow).
 * Likewise login's username and password, required except under OpenID Connect (AUTH_TYPE=0).
 */
function effectiveSpec(deps: AppDeps): unknown {
  const spec = structuredClone(deps.routes.spec) as unknown as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const signup = deps.routes.byOperationId.get('signup');
  const op = signup && spec.paths[signup.path]?.[signup.method];
  if (op) op.security = deps.config.signupActivated === 2 ? [{ bearerAuth: [] }] : [];
  // Login's fields are optional only under OpenID Connect (a bearer token instead of credentials).
  const components = (spec as { components?: { schemas?: Record<string, { required?: string[] }> } }).components;
  const loginRequest = components?.schemas?.LoginRequest;
  if (loginRequest && deps.config.authType !== 'oidc') loginRequest.required = ['username', 'password'];
  return spec;
}

const ALARM_VIEWS = new Set(['alarms', 'alarms-detail', 'main-alarms']);

/** The contract this server serves: the core spec merged with the plugins' fragments (for /openapi.json, docs). */
export function servedSpec(deps: AppDeps): unknown {
  return effectiveSpec(deps);
}

/** Operations that are not registered under this configuration (cornflow's conditional endpoints). */
function disabled(deps: AppDeps): Set<string> {
  const off = new Set<string>();
  if (deps.config.authType !== 'db' || deps.config.signupActivated === 0) off.add('signup');
  // Alarm routes exist only when CF_ALARMS_ENDPOINT is true (cornflow: any set value, even "0").
  if (!deps.config.alarmsEnabled) {
    for (const route of deps.routes.routes) {
      if (route.view && ALARM_VIEWS.has(route.view)) for (const op of Object.values(route.operations)) off.add(op.operationId);
    }
  }
  if (!deps.config.legacyUrl) off.add('listForwarded');
  return off;
}

function jsonOperations(deps: AppDeps): Set<string> {
  const out = new Set<string>();
  for (const item of Object.values(deps.routes.spec.paths)) {
    for (const op of Object.values(item) as { operationId?: string; requestBody?: { content?: Record<string, unknown> } }[]) {
      const content = op?.requestBody?.content;
      if (op?.operationId && content && Object.keys(content).every((t) => t.includes('json'))) out.add(op.operationId);
    }
  }
  return out;
}

/** Operations flagged `x-cornflow-lossless: true`: their JSON body is parsed by parseExact (src/api/json-body.ts). */
function losslessOperations(deps: AppDeps): Set<string> {
  const out = new Set<string>();
  for (const item of Object.values(deps.routes.spec.paths)) {
    for (const op of Object.values(item) as { operationId?: string; 'x-cornflow-lossless'?: boolean }[]) {
      if (op?.operationId && op['x-cornflow-lossless'] === true) out.add(op.operationId);
    }
  }
  return out;
}

export function createApp(deps: AppDeps): express.Express {
  const { config, routes, logger } = deps;
  fastRouteLookup();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'extended');

  app.use(requestLog(logger, routes));
  // Paths this server does not serve go to the Flask cornflow when CORNFLOW_LEGACY_URL is set (instead of 404).
  if (config.legacyUrl) {
    deps.forwarded ??= new ForwardLedger();
    app.use(legacyProxy(config.legacyUrl, routes, deps.forwarded, logger));
  }
  app.use(cors(config.corsOrigins));
  // Documentation pages and the bundled spec: outside the contract, so before the validator (src/api/docs.ts).
  app.use(docsRouter(routes.spec));
  app.use(options(routes));
  app.use(canonicalUrls(routes));
  app.use(disabledOperations(routes, disabled(deps)));
  // Only cornflow's @compressed routes compress their responses (2xx JSON of at least 500 bytes).
  // The compression middleware wraps every response it sees; only those routes go through it.
  const compress = compression({ threshold: 500 });
  app.use((req, res, next) => (routes.operation(req.path, req.method)?.compressed === true ? compress(req, res, next) : next()));
  app.use(contentEncodingGate(routes));
  const lossless = losslessOperations(deps);
  const withJsonBody = jsonOperations(deps);
  app.use(jsonBodyParsers(routes, withJsonBody, lossless, config.maxBodyBytes));
  // Form-encoded bodies (the worker's execution-files status without a file).
  app.use(express.urlencoded({ extended: false, limit: config.maxBodyBytes }));
  app.use(jsonBodyDefault(routes, withJsonBody));
  app.use(flaskResponses);
  app.use(
    OpenApiValidator.middleware({
      // eov dereferences the document in place: it gets its own copy.
      apiSpec: effectiveSpec(deps) as string,
      validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
      validateResponses: config.failOnInvalidResponse
        ? true
        : { onError: (err: unknown, _body: unknown, req: express.Request) => logger.error({ reqId: req.requestId, err }, 'response failed validation') },
      validateSecurity: { handlers: { bearerAuth: securityHandler(deps) } },
      // Multipart uploads (MPS files, execution-file zips) are held in memory: one file, at most CORNFLOW_MAX_BODY_SIZE.
      fileUploader: { limits: { fileSize: config.maxBodyBytes, fieldSize: config.maxBodyBytes, files: 1, fields: 20, parts: 21 } },
      formats: { 'date-time': DATE_TIME },
      // Operations are dispatched below by operationId (one Map lookup), not by eov's router of every route.
      operationHandlers: false,
    }),
  );
  app.use(dispatch(deps));
  app.use(notFound);
  app.use(errorHandler(logger, config.maxBodyBytes));
  return app;
}
