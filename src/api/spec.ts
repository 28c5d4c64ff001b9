// The bundled contract (generated/openapi.json) and what the server reads from it: the operations of each
// path, their cornflow view, and their wire flags (x-cornflow-*). Nothing here describes the API itself.
import { readFileSync } from 'node:fs';
import { BUNDLED_SPEC_PATH } from '../paths.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type RoleName = 'dummy' | 'viewer' | 'planner' | 'admin' | 'service';
export type ActionName = 'get' | 'patch' | 'post' | 'put' | 'delete';

export interface ViewDefinition {
  name: string;
  url_rule: string;
  roles: RoleName[];
  description?: string;
  extra?: Partial<Record<RoleName, ActionName[]>>;
  /** Registered only when this feature is on. */
  condition?: 'signup' | 'login' | 'alarms' | 'legacy';
}

export interface OperationMeta {
  operationId: string;
  method: HttpMethod;
  path: string;
  view: string | undefined;
  /** The operation declares bearer authentication. */
  secured: boolean;
  /** Authentication is optional (security lists `{}` too). */
  authOptional: boolean;
  /** Check the user's permission for (method, view); `none` only verifies the header (GET /token/). */
  permission: 'check' | 'none';
  /** Request bodies sent with `Content-Encoding: gzip` are inflated (cornflow's flask-inflate routes). */
  inflate: boolean;
  /** Responses are compressed (cornflow's @compressed routes). */
  compressed: boolean;
  /** Query parameters of integer type (limit, offset, …), checked as Python's int() reads them (queryIntegers). */
  integerQuery: string[];
}

export interface RouteEntry {
  path: string;
  regex: RegExp;
  view: string | undefined;
  operations: Partial<Record<HttpMethod, OperationMeta>>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
  'x-cornflow-views': ViewDefinition[];
  [key: string]: unknown;
}

export function loadSpec(path: string = BUNDLED_SPEC_PATH): OpenApiDocument {
  return JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument;
}

function templateToRegex(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

interface ParameterObject {
  $ref?: string;
  name?: string;
  in?: string;
  schema?: { type?: unknown };
}

function integerQueryParameters(spec: OpenApiDocument, parameters: unknown[]): string[] {
  const out: string[] = [];
  for (const raw of parameters as ParameterObject[]) {
    let p: ParameterObject | undefined = raw;
    // Local references only (#/components/parameters/limit): the bundled spec has no others.
    if (p?.$ref?.startsWith('#/')) {
      p = p.$ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec) as ParameterObject | undefined;
    }
    if (p?.in === 'query' && p.name && p.schema?.type === 'integer') out.push(p.name);
  }
  return out;
}

export class RouteTable {
  readonly routes: RouteEntry[];
  readonly byOperationId = new Map<string, OperationMeta>();

  constructor(readonly spec: OpenApiDocument) {
    this.routes = Object.entries(spec.paths).map(([path, item]) => {
      const view = item['x-cornflow-view'] as string | undefined;
      const operations: RouteEntry['operations'] = {};
      for (const method of HTTP_METHODS) {
        const op = item[method] as Record<string, unknown> | undefined;
        if (!op) continue;
        const security = (op.security ?? []) as Record<string, unknown>[];
        const meta: OperationMeta = {
          operationId: op.operationId as string,
          method,
          path,
          view,
          secured: security.some((s) => 'bearerAuth' in s),
          authOptional: security.some((s) => Object.keys(s).length === 0),
          permission: op['x-cornflow-permission'] === 'none' ? 'none' : 'check',
          inflate: op['x-cornflow-inflate'] === true,
          compressed: op['x-cornflow-compressed'] === true,
          integerQuery: integerQueryParameters(spec, [...((item.parameters ?? []) as unknown[]), ...((op.parameters ?? []) as unknown[])]),
        };
        operations[method] = meta;
        this.byOperationId.set(meta.operationId, meta);
      }
      return { path, regex: templateToRegex(path), view, operations };
    });
    // Literal segments win over parameters (/dag/deployed/ before /dag/{idx}/), as in Werkzeug.
    this.routes.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  }

  /** Paths seen lately and their route (null: none); the middleware asks several times per request. */
  private readonly matched = new Map<string, RouteEntry | null>();

  match(path: string): RouteEntry | undefined {
    let entry = this.matched.get(path);
    if (entry === undefined) {
      entry = this.routes.find((r) => r.regex.test(path)) ?? null;
      // Bounded: ids make paths unbounded; starting over is cheaper than an LRU and as good for a hot set.
      if (this.matched.size >= 10_000) this.matched.clear();
      this.matched.set(path, entry);
    }
    return entry ?? undefined;
  }

  operation(path: string, method: string): OperationMeta | undefined {
    return this.match(path)?.operations[method.toLowerCase() as HttpMethod];
  }

  get views(): ViewDefinition[] {
    return this.spec['x-cornflow-views'];
  }

  view(name: string): ViewDefinition | undefined {
    return this.views.find((v) => v.name === name);
  }
}
