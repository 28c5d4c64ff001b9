// What a plugin module exports (docs/plugins.md). A plugin extends the contract: its OpenAPI paths and schemas
// are merged into the core spec at start-up, and every operation it adds must have a handler here.
import type { Knex } from 'knex';
import type { HandlerMap } from '../api/handlers.js';
import type { ActionName, ViewDefinition } from '../api/spec.js';
import type { TableEntry } from '../domain/tables.js';

/** A standalone OpenAPI 3.1 document holding only the plugin's paths, schemas and tags. */
export interface PluginSpec {
  openapi?: string;
  info?: unknown;
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown>; [k: string]: unknown };
  /** The plugin's cornflow views (name, url rule, roles), seeded into api_view / permission_view. */
  'x-cornflow-views'?: ViewDefinition[];
}

/** An untyped handler as the server calls it. */
export type AnyHandler = (ctx: {
  params: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  query: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  user: unknown;
  deps: unknown;
  req: unknown;
}) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

export interface CornflowPlugin {
  /** Unique, snake_case: names the plugin's migration table (`cornflow_ts_migrations_<name>`). */
  name: string;
  spec: PluginSpec;
  /** Handlers keyed by operationId, one per operation of `spec`. */
  handlers: Record<string, AnyHandler>;
  /** knex migrations by name, applied in name order after the core ones. */
  migrations?: Record<string, Knex.Migration>;
  /** The plugin's tables readable through /table/<name>/ (with their secret columns). */
  tables?: Record<string, TableEntry>;
  /** Custom roles (cornflow's CUSTOM_ROLES_ACTIONS): usable by name in the `roles` and `extra` of any view. */
  roles?: CustomRole[];
  /** Apps the local backend can run: registered as deployed apps (deployed_workflows) at start. */
  apps?: PluginApp[];
}

/** An app for the local backend, as the built-in solve_model_dag (src/local/pool.ts `apps`). */
export interface PluginApp {
  /** The app name (deployed_workflows id, the executions' `schema`). */
  id: string;
  description?: string;
  /** Absolute path of a module exporting solve(instance, config, solution) → { solution, log_json, log_text, checks, kpis }. */
  module: string;
  /** JSON schemas of the app (missing ones are `{}`). */
  schemas: { instance: unknown; solution?: unknown; config?: unknown; instance_checks?: unknown; solution_checks?: unknown; kpis?: unknown };
}

/**
 * A plugin's role: seeded into `roles` at start (never deleted, as cornflow's). On every view that lists it in
 * `roles` it gets `actions` (its CUSTOM_ROLES_ACTIONS entry); `extra` grants work as for the core roles.
 */
export interface CustomRole {
  /** The role id, above cornflow's 0–4 (cornflow's external apps use their own ids too). */
  id: number;
  /** Default `custom_role_<id>` (cornflow's name for them). */
  name?: string;
  actions: ActionName[];
}

export const customRoleName = (role: CustomRole): string => role.name ?? `custom_role_${role.id}`;

/**
 * Types a plugin's handlers with the plugin's own generated `operations` (openapi-typescript output):
 * a missing handler, an unknown operationId or a wrong response shape does not compile.
 */
export function definePlugin<O>(plugin: Omit<CornflowPlugin, 'handlers'> & { handlers: HandlerMap<O> }): CornflowPlugin {
  return plugin as unknown as CornflowPlugin;
}
