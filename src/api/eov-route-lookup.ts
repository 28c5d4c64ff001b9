// express-openapi-validator 5 finds a request's operation (openapi.metadata.js, lookupRoute) by walking every
// route of the spec on every request, and for each one copying the route map into entries, reading two app
// settings, building an options object and fetching the compiled path-to-regexp: ~4 % of a small request's CPU
// with cornflow's ~100 paths. This is the same walk in the same order over routes prepared once (regexp, parameter
// names, path item), with the same answers and errors; test/hot-path.test.ts compares it with eov's own.
import { createRequire } from 'node:module';
import type { Request, RequestHandler } from 'express';

interface RouteMethods {
  basePath: string;
  _openApiRoute: string;
  _expressRoute: string;
}
interface OpenApiContext {
  expressRouteMap: Record<string, RouteMethods>;
  openApiRouteMap: Record<string, Record<string, unknown>>;
  apiDoc: { paths: Record<string, Record<string, unknown>> };
  useRequestUrl: boolean;
  ignoreUndocumented: boolean;
  serial: number;
  shouldIgnoreRoute(path: string): boolean;
  isManagedRoute(path: string): boolean;
}
type ResponseApiDoc = { paths: Record<string, Record<string, unknown>> } | undefined;

interface PreparedRoute {
  expressRoute: string;
  openApiRoute: string;
  regexp: RegExp;
  keys: string[];
  item: Record<string, unknown>;
  responseItem: Record<string, unknown> | undefined;
}

export interface RouteMatch {
  schema: unknown;
  expressRoute: string;
  openApiRoute: string;
  pathParams: Record<string, string>;
  _responseSchema: unknown;
}

const requireFromEov = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
const eovDir = requireFromEov.resolve('express-openapi-validator').replace(/index\.js$/, '');
const { pathToRegexp } = requireFromEov('path-to-regexp') as {
  pathToRegexp: (path: string, options: { sensitive: boolean; strict: boolean }) => { regexp: RegExp; keys: { name: string }[] };
};
type HttpErrorClass = new (args: { path: string; message: string; headers?: Record<string, string> }) => Error;
const errors = requireFromEov(`${eovDir}framework/types.js`) as { MethodNotAllowed: HttpErrorClass; NotFound: HttpErrorClass; BadRequest: HttpErrorClass };
const httpMethods = (requireFromEov(`${eovDir}middlewares/parsers/schema.preprocessor.js`) as { httpMethods: Set<string> }).httpMethods;

/** eov's route lookup for one validator's context, with the routes compiled once per routing mode. */
export class RouteLookup {
  private prepared: PreparedRoute[] | undefined;
  private mode = '';

  constructor(
    private readonly context: OpenApiContext,
    private readonly responseApiDoc: ResponseApiDoc,
  ) {}

  private routes(req: Request): PreparedRoute[] {
    const strict = !!req.app.enabled('strict routing');
    const sensitive = !!req.app.enabled('case sensitive routing');
    const mode = `${strict ? 1 : 0}${sensitive ? 1 : 0}`;
    if (this.prepared && this.mode === mode) return this.prepared;
    this.prepared = Object.entries(this.context.expressRouteMap).map(([expressRoute, methods]) => {
      const pathKey = methods._openApiRoute.substring(methods.basePath.length);
      const { regexp, keys } = pathToRegexp(expressRoute, { sensitive, strict });
      return {
        expressRoute,
        openApiRoute: methods._openApiRoute,
        regexp,
        keys: keys.map((k) => k.name),
        item: this.context.apiDoc.paths[pathKey]!,
        responseItem: this.responseApiDoc?.paths[pathKey],
      };
    });
    this.mode = mode;
    return this.prepared;
  }

  /** The first route (in the spec's order) whose regexp matches the request's path, as eov's lookupRoute. */
  match(req: Request): RouteMatch | null {
    const path = (this.context.useRequestUrl ? req.url : req.originalUrl).split('?')[0]!;
    const method = req.method.toLowerCase();
    for (const route of this.routes(req)) {
      const found = route.regexp.exec(path);
      if (!found) continue;
      const pathParams: Record<string, string> = {};
      try {
        for (let i = 0; i < route.keys.length; i++) pathParams[route.keys[i]!] = decodeURIComponent(found[i + 1]!);
      } catch {
        throw new errors.BadRequest({ path: req.path, message: `malformed uri'` });
      }
      return {
        schema: route.item[method],
        expressRoute: route.expressRoute,
        openApiRoute: route.openApiRoute,
        pathParams,
        _responseSchema: route.responseItem?.[method],
      };
    }
    return null;
  }
}

/** eov's metadata middleware (openapi.metadata.js) over a RouteLookup: sets req.openapi, or 404/405 as eov does. */
function metadataMiddleware(context: OpenApiContext, responseApiDoc: ResponseApiDoc): RequestHandler {
  const lookup = new RouteLookup(context, responseApiDoc);
  return (req, _res, next) => {
    const path = req.path.startsWith(req.baseUrl) ? req.path : `${req.baseUrl}/${req.path}`;
    if (context.shouldIgnoreRoute(path)) return next();
    const matched = lookup.match(req);
    if (matched) {
      const { expressRoute, openApiRoute, pathParams, schema } = matched;
      if (!schema) {
        if (context.ignoreUndocumented) return next();
        throw new errors.MethodNotAllowed({
          path: req.path,
          message: `${req.method} method not allowed`,
          headers: {
            Allow: Object.keys(context.openApiRouteMap[openApiRoute]!)
              .filter((key) => httpMethods.has(key.toLowerCase()))
              .join(', '),
          },
        });
      }
      const openapi: Record<string, unknown> = { expressRoute, openApiRoute, pathParams, schema, serial: context.serial };
      if (responseApiDoc) openapi._responseSchema = matched._responseSchema;
      (req as { openapi?: unknown }).openapi = openapi;
      req.params = pathParams;
    } else if (context.isManagedRoute(path) && !context.ignoreUndocumented) {
      throw new errors.NotFound({ path: req.path, message: 'not found' });
    }
    next();
  };
}

let installed = false;

/** Makes every express-openapi-validator middleware built from now on use the prepared route lookup. */
export function fastRouteLookup(): void {
  if (installed) return;
  installed = true;
  const { OpenApiValidator } = requireFromEov(`${eovDir}openapi.validator.js`) as {
    OpenApiValidator: { prototype: { metadataMiddleware: typeof metadataMiddleware } };
  };
  OpenApiValidator.prototype.metadataMiddleware = metadataMiddleware;
}
