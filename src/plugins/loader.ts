// Plugins: loading them (npm packages or local folders named in the configuration), merging their contract
// into the core spec, and running their migrations. Any inconsistency stops start-up with a message naming it.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import { HTTP_METHODS, type OpenApiDocument } from '../api/spec.js';
import { customRoleName, type CornflowPlugin } from './types.js';
import { ACTIONS, ROLE_NAMES } from '../domain/access-constants.js';
import type { AccessRole } from '../domain/access.js';
import { BUILT_IN_APP_MODULES } from '../local/pool.js';
import type { BuiltInApp } from '../apps/index.js';
import { registerTable } from '../domain/tables.js';

export class PluginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginError';
  }
}

function entryFile(path: string): string {
  if (!existsSync(path)) throw new PluginError(`plugin ${path} not found`);
  if (!statSync(path).isDirectory()) return path;
  for (const f of ['index.js', 'index.mjs', 'index.ts', 'dist/index.js']) if (existsSync(join(path, f))) return join(path, f);
  throw new PluginError(`plugin folder ${path} has no index.js or index.ts`);
}

/** Imports one plugin: a path (absolute, or relative to the working directory) or a package name. */
export async function importPlugin(specifier: string, cwd: string = process.cwd()): Promise<CornflowPlugin> {
  const local = specifier.startsWith('.') || isAbsolute(specifier);
  const target = local ? pathToFileURL(entryFile(resolve(cwd, specifier))).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(target)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginError(`plugin ${specifier} could not be loaded: ${(err as Error).message}`);
  }
  const plugin = (mod.plugin ?? mod.default) as CornflowPlugin | undefined;
  if (!plugin || typeof plugin !== 'object' || typeof plugin.name !== 'string' || !plugin.spec || !plugin.handlers) {
    throw new PluginError(`plugin ${specifier} exports no plugin (export \`plugin\` or a default with name, spec and handlers)`);
  }
  if (!/^[a-z][a-z0-9_]*$/.test(plugin.name)) throw new PluginError(`plugin ${specifier}: name "${plugin.name}" must be snake_case`);
  return plugin;
}

export async function loadPlugins(specifiers: readonly string[], cwd?: string): Promise<CornflowPlugin[]> {
  const plugins: CornflowPlugin[] = [];
  for (const s of specifiers) plugins.push(await importPlugin(s, cwd));
  const names = new Set<string>();
  for (const p of plugins) {
    if (names.has(p.name)) throw new PluginError(`plugin ${p.name} is configured twice`);
    names.add(p.name);
  }
  return plugins;
}

function operationIds(doc: { paths: Record<string, Record<string, unknown>> }): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as { operationId?: string } | undefined;
      if (op?.operationId) out.set(op.operationId, `${method.toUpperCase()} ${path}`);
      else if (op) throw new PluginError(`${method.toUpperCase()} ${path} has no operationId`);
    }
  }
  return out;
}

/**
 * The core spec with every plugin's paths, schemas, tags and views added. Throws a PluginError naming the first
 * collision (operationId, path, schema or view name), handler without operation, or operation without handler.
 */
export function mergeSpecs(core: OpenApiDocument, plugins: readonly CornflowPlugin[], coreOperationIds?: Iterable<string>): OpenApiDocument {
  const merged = structuredClone(core);
  const components = (merged.components ??= {}) as { schemas?: Record<string, unknown> };
  const schemas = (components.schemas ??= {});
  const tags = ((merged.tags as { name: string }[] | undefined) ?? []).slice();
  const ops = operationIds(merged);
  for (const id of coreOperationIds ?? []) if (!ops.has(id)) ops.set(id, 'a core handler');
  const views = new Set(merged['x-cornflow-views'].map((v) => v.name));
  const roleNames = new Set([...CORE_ROLE_NAMES, ...pluginRoles(plugins).map((r) => r.name)]);
  for (const plugin of plugins) {
    const spec = plugin.spec;
    for (const [path, item] of Object.entries(spec.paths ?? {})) {
      if (!path.endsWith('/')) throw new PluginError(`plugin ${plugin.name}: path ${path} must end with "/" (cornflow's URL shape)`);
      if (merged.paths[path]) throw new PluginError(`plugin ${plugin.name}: path ${path} already exists`);
      const view = item['x-cornflow-view'];
      if (typeof view !== 'string') throw new PluginError(`plugin ${plugin.name}: path ${path} has no x-cornflow-view`);
      merged.paths[path] = structuredClone(item);
    }
    const own = operationIds(spec);
    for (const [id, where] of own) {
      if (ops.has(id)) throw new PluginError(`plugin ${plugin.name}: operationId ${id} (${where}) already exists (${ops.get(id)})`);
      ops.set(id, `${where} of plugin ${plugin.name}`);
      if (typeof plugin.handlers[id] !== 'function') throw new PluginError(`plugin ${plugin.name}: operation ${id} (${where}) has no handler`);
    }
    for (const id of Object.keys(plugin.handlers)) {
      if (!own.has(id)) throw new PluginError(`plugin ${plugin.name}: handler ${id} has no operation in the plugin's spec`);
    }
    for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
      if (name in schemas) throw new PluginError(`plugin ${plugin.name}: schema ${name} already exists`);
      schemas[name] = structuredClone(schema);
    }
    // Responses and parameters too (securitySchemes are the core's: bearerAuth).
    for (const kind of ['responses', 'parameters'] as const) {
      const target = ((components as Record<string, Record<string, unknown> | undefined>)[kind] ??= {});
      for (const [name, value] of Object.entries((spec.components?.[kind] as Record<string, unknown> | undefined) ?? {})) {
        if (name in target) throw new PluginError(`plugin ${plugin.name}: ${kind.slice(0, -1)} ${name} already exists`);
        target[name] = structuredClone(value);
      }
    }
    for (const tag of spec.tags ?? []) if (!tags.some((t) => t.name === tag.name)) tags.push(tag);
    for (const view of spec['x-cornflow-views'] ?? []) {
      if (views.has(view.name)) throw new PluginError(`plugin ${plugin.name}: view ${view.name} already exists`);
      for (const role of [...((view.roles ?? []) as string[]), ...Object.keys(view.extra ?? {})]) {
        if (!roleNames.has(role)) {
          throw new PluginError(`plugin ${plugin.name}: view ${view.name} names role ${role}, which is neither a core role nor a custom role of a plugin`);
        }
      }
      views.add(view.name);
      merged['x-cornflow-views'].push(structuredClone(view));
    }
    for (const [path, item] of Object.entries(spec.paths ?? {})) {
      if (!views.has(item['x-cornflow-view'] as string)) {
        throw new PluginError(`plugin ${plugin.name}: path ${path} names view ${String(item['x-cornflow-view'])}, which is not in x-cornflow-views`);
      }
    }
  }
  merged.tags = tags;
  return merged;
}

const CORE_ROLE_NAMES = Object.values(ROLE_NAMES);
const ACTION_KEYS = Object.keys(ACTIONS);

/**
 * The custom roles of all the plugins (cornflow's CUSTOM_ROLES_ACTIONS), checked: ids above cornflow's 0–4,
 * no id or name used twice, known actions.
 */
export function pluginRoles(plugins: readonly CornflowPlugin[]): AccessRole[] {
  const out: AccessRole[] = [];
  for (const p of plugins) {
    for (const role of p.roles ?? []) {
      const name = customRoleName(role);
      if (!Number.isInteger(role.id) || role.id <= 4) throw new PluginError(`plugin ${p.name}: role ${name} needs an integer id above 4 (0–4 are cornflow's)`);
      if (CORE_ROLE_NAMES.includes(name as never)) throw new PluginError(`plugin ${p.name}: role name ${name} is a core role`);
      const clash = out.find((r) => r.id === role.id || r.name === name);
      if (clash) throw new PluginError(`plugin ${p.name}: role ${name} (id ${role.id}) already exists (role ${clash.name}, id ${clash.id})`);
      for (const a of role.actions ?? []) if (!ACTION_KEYS.includes(a)) throw new PluginError(`plugin ${p.name}: role ${name} has unknown action ${String(a)}`);
      out.push({ id: role.id, name, actions: [...(role.actions ?? [])] });
    }
  }
  return out;
}

/**
 * The plugins' local-backend apps as the pool takes them (app name → module path), checked: one name per app,
 * not a built-in app's, and the module exists.
 */
export function pluginAppModules(plugins: readonly CornflowPlugin[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of plugins) {
    for (const app of p.apps ?? []) {
      if (typeof app.id !== 'string' || !app.id) throw new PluginError(`plugin ${p.name}: an app has no id`);
      if (app.id in BUILT_IN_APP_MODULES || app.id in out) throw new PluginError(`plugin ${p.name}: app ${app.id} already exists`);
      if (typeof app.module !== 'string' || !isAbsolute(app.module) || !existsSync(app.module)) {
        throw new PluginError(`plugin ${p.name}: app ${app.id}: module ${String(app.module)} not found (give an absolute path)`);
      }
      if (!app.schemas || typeof app.schemas.instance !== 'object') throw new PluginError(`plugin ${p.name}: app ${app.id} has no instance schema`);
      out[app.id] = app.module;
    }
  }
  return out;
}

/** The plugins' apps as deployed apps (registered like the built-in ones: existing rows are kept). */
export function pluginDeployedApps(plugins: readonly CornflowPlugin[]): BuiltInApp[] {
  const text = (v: unknown) => JSON.stringify(v ?? {});
  return plugins.flatMap((p) =>
    (p.apps ?? []).map((app) => ({
      id: app.id,
      description: app.description ?? `App of the plugin ${p.name}`,
      schemas: {
        instance_schema: text(app.schemas.instance),
        solution_schema: text(app.schemas.solution),
        config_schema: text(app.schemas.config),
        instance_checks_schema: text(app.schemas.instance_checks),
        solution_checks_schema: text(app.schemas.solution_checks),
        kpis_schema: text(app.schemas.kpis),
      },
      examples: () => [],
    })),
  );
}

const requireCjs = createRequire(import.meta.url);
let oasValidator: { validate(doc: unknown): { errors: { instancePath?: string; message?: string; params?: unknown }[] } } | undefined;

/**
 * Structural lint of the merged document before anything is served: it validates as OpenAPI 3.1 (the schema
 * express-openapi-validator checks specs with, compiled here at start instead of at the first request) and every
 * local `$ref` resolves. Throws a PluginError listing the first problems.
 */
export function validateMergedSpec(doc: OpenApiDocument): void {
  if (!oasValidator) {
    const { OpenAPISchemaValidator } = requireCjs('express-openapi-validator/dist/framework/openapi.schema.validator.js') as {
      OpenAPISchemaValidator: new (o: { version: string; validateApiSpec: boolean }) => NonNullable<typeof oasValidator>;
    };
    oasValidator = new OpenAPISchemaValidator({ version: '3.1.0', validateApiSpec: true });
  }
  const problems = oasValidator
    .validate(doc)
    .errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}/${i}`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && x.startsWith('#/') && resolvePointer(doc, x) === undefined) problems.push(`${at} $ref ${x} does not resolve`);
        else walk(x, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
    }
  };
  walk(doc, '');
  if (problems.length) {
    throw new PluginError(`the merged OpenAPI document is invalid: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  }
}

function resolvePointer(doc: unknown, ref: string): unknown {
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!cur || typeof cur !== 'object' || !(key in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Every merged operation has one handler: the core's or a plugin's. */
export function pluginHandlers(plugins: readonly CornflowPlugin[]): Record<string, CornflowPlugin['handlers'][string]> {
  return Object.assign({}, ...plugins.map((p) => p.handlers));
}

export function registerPluginTables(plugins: readonly CornflowPlugin[]): void {
  for (const p of plugins) for (const [name, entry] of Object.entries(p.tables ?? {})) registerTable(name, entry);
}

/** Each plugin keeps its own knex migration table, so its history is independent of the core's. */
export const pluginMigrationsTable = (plugin: CornflowPlugin): string => `cornflow_ts_migrations_${plugin.name}`;

export function pluginMigrationConfig(plugin: CornflowPlugin): Knex.MigratorConfig {
  const migrations = plugin.migrations ?? {};
  return {
    tableName: pluginMigrationsTable(plugin),
    migrationSource: {
      getMigrations: async () => Object.keys(migrations).sort(),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => migrations[name]!,
    },
  };
}

/** Applies the pending migrations of every plugin (after the core ones); returns `<plugin>:<migration>` names. */
export async function migratePlugins(db: Knex, plugins: readonly CornflowPlugin[]): Promise<string[]> {
  const applied: string[] = [];
  for (const p of plugins) {
    if (!p.migrations) continue;
    const [, log] = (await db.migrate.latest(pluginMigrationConfig(p))) as [number, string[]];
    applied.push(...log.map((n) => `${p.name}:${n}`));
  }
  return applied;
}

/** Reverts every migration of the plugins, last plugin first. */
export async function rollbackPlugins(db: Knex, plugins: readonly CornflowPlugin[]): Promise<string[]> {
  const reverted: string[] = [];
  for (const p of [...plugins].reverse()) {
    if (!p.migrations) continue;
    const [, log] = (await db.migrate.rollback(pluginMigrationConfig(p), true)) as [number, string[]];
    reverted.push(...log.map((n) => `${p.name}:${n}`));
  }
  return reverted;
}

export interface PluginMigrationStatus {
  applied: string[];
  pending: string[];
}

/** Applied and pending migrations of each plugin (by plugin name), read from the plugin's own migration table. */
export async function pluginMigrationStatus(db: Knex, plugins: readonly CornflowPlugin[]): Promise<Record<string, PluginMigrationStatus>> {
  const out: Record<string, PluginMigrationStatus> = {};
  for (const p of plugins) {
    const [completed, pending] = (await db.migrate.list(pluginMigrationConfig(p))) as [unknown[], unknown[]];
    const nameOf = (m: unknown) => (typeof m === 'string' ? m : String((m as { name?: string; file?: string }).name ?? (m as { file?: string }).file));
    out[p.name] = { applied: completed.map(nameOf), pending: pending.map(nameOf) };
  }
  return out;
}

/** Reverts one applied migration of a plugin (the CLI's downgrade, one step at a time). */
export async function revertPluginMigration(db: Knex, plugin: CornflowPlugin, name: string): Promise<string[]> {
  const [, log] = (await db.migrate.down({ ...pluginMigrationConfig(plugin), name })) as [number, string[]];
  return log.map((n) => `${plugin.name}:${n}`);
}
