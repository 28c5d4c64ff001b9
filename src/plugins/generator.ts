// `cornflow schemas generate_from_schema`: from a JSON Schema describing tables (cornflow's generator input:
// top-level `properties`, each `type: array` of objects; or a top-level array with --one) write a plugin
// folder: openapi.json (list/create, get/put/patch/delete, bulk post/put per table, with views), index.mjs
// (knex migration and handlers, no imports: it runs wherever it is copied) and checks.mjs (generated tests).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const METHOD_OPTIONS = ['get_list', 'post_list', 'get_detail', 'put_detail', 'patch_detail', 'delete_detail', 'post_bulk', 'put_bulk'] as const;
export type MethodOption = (typeof METHOD_OPTIONS)[number];

export class GeneratorError extends Error {}

type Json = Record<string, unknown>;
type ColumnType = 'integer' | 'number' | 'string' | 'boolean' | 'json';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
  required: boolean;
  /** `<table>.<column>` in the database (app prefix applied). */
  references?: string;
  schema: Json;
}

export interface TableSpec {
  /** Name in the input schema. */
  name: string;
  /** Name in the database: `<app>_<name>` with an app name. */
  dbName: string;
  url: string;
  view: string;
  pascal: string;
  columns: ColumnSpec[];
  /** The input declares no `id`: an auto-increment integer id is added. */
  autoId: boolean;
  idType: 'integer' | 'string';
  methods: MethodOption[];
  roles: string[];
}

export interface GenerateOptions {
  schema: Json;
  appName?: string;
  one?: string;
  removeMethods?: string[];
  /** table → methods (cornflow's -m json file). */
  endpointsMethods?: Record<string, string[]>;
  /** table → roles (cornflow's -e json file); default [service]. */
  endpointsAccess?: Record<string, string[]>;
}

const ROLE_NAMES = ['viewer', 'planner', 'admin', 'service'];
const ROLE_IDS: Record<number, string> = { 1: 'viewer', 2: 'planner', 3: 'admin', 4: 'service' };

const pascal = (s: string) => s.split(/[_\-\s]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

function columnType(prop: Json): { type: ColumnType; nullable: boolean } {
  const raw = prop.type;
  const types = Array.isArray(raw) ? (raw as string[]) : [String(raw ?? 'string')];
  const nullable = types.includes('null');
  const main = types.find((t) => t !== 'null') ?? 'string';
  const type: ColumnType = main === 'integer' ? 'integer' : main === 'number' ? 'number' : main === 'boolean' ? 'boolean' : main === 'string' ? 'string' : 'json';
  return { type, nullable };
}

function tableInputs(schema: Json, one?: string): [string, Json][] {
  if (schema.type === 'array') return [[one ?? 'data', schema]];
  const props = schema.properties as Record<string, Json> | undefined;
  if (!props || typeof props !== 'object') throw new GeneratorError('the schema has no top-level "properties" (or is not an array)');
  return Object.entries(props).filter(([, v]) => v?.type === 'array' && typeof (v.items as Json | undefined)?.properties === 'object');
}

export function describeTables(opts: GenerateOptions): TableSpec[] {
  const app = opts.appName;
  if (app !== undefined && !/^[a-z][a-z0-9_]*$/.test(app)) throw new GeneratorError(`app name must be snake_case, got "${app}"`);
  for (const m of opts.removeMethods ?? []) if (!(METHOD_OPTIONS as readonly string[]).includes(m)) throw new GeneratorError(`unknown method "${m}" (${METHOD_OPTIONS.join(', ')})`);
  const inputs = tableInputs(opts.schema, opts.one);
  if (!inputs.length) throw new GeneratorError('the schema describes no table (properties of type array with items.properties)');
  const prefixed = (t: string) => (app ? `${app}_${t}` : t);
  const names = new Set(inputs.map(([n]) => n));
  return inputs.map(([name, def]) => {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new GeneratorError(`table name "${name}" must be letters, digits and _`);
    const items = def.items as Json;
    const required = new Set((items.required as string[] | undefined) ?? []);
    const columns: ColumnSpec[] = Object.entries(items.properties as Record<string, Json>).map(([col, prop]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(col)) throw new GeneratorError(`table ${name}: column name "${col}" must be letters, digits and _`);
      if (['created_at', 'updated_at', 'deleted_at'].includes(col)) throw new GeneratorError(`table ${name}: column ${col} is reserved`);
      const { type, nullable } = columnType(prop);
      let references: string | undefined;
      if (typeof prop.foreign_key === 'string') {
        const [ft, fc] = prop.foreign_key.split('.');
        if (!ft || !fc || !names.has(ft)) throw new GeneratorError(`table ${name}: foreign key ${prop.foreign_key} names no table of the schema`);
        references = `${prefixed(ft)}.${fc}`;
      }
      return { name: col, type, nullable, required: required.has(col), references, schema: prop };
    });
    const id = columns.find((c) => c.name === 'id');
    const dbName = prefixed(name);
    const words = dbName.split('_').filter(Boolean).map((w) => w.toLowerCase());
    const allowed = opts.endpointsMethods?.[name] ?? [...METHOD_OPTIONS];
    const roles = (opts.endpointsAccess?.[name] ?? ['service']).map((r) => (typeof r === 'number' ? ROLE_IDS[r] : String(r).toLowerCase()));
    for (const r of roles) if (!r || !ROLE_NAMES.includes(r)) throw new GeneratorError(`table ${name}: unknown role "${String(r)}"`);
    return {
      name,
      dbName,
      url: `/${words.join('/')}/`,
      view: words.join('-'),
      pascal: pascal(dbName),
      columns,
      autoId: !id,
      idType: id && id.type !== 'integer' ? 'string' : 'integer',
      methods: METHOD_OPTIONS.filter((m) => allowed.includes(m) && !(opts.removeMethods ?? []).includes(m)),
      roles,
    };
  });
}

// ---------- OpenAPI fragment ----------

function propertySchema(c: ColumnSpec, forResponse: boolean): Json {
  const s: Json = { ...c.schema };
  for (const k of ['foreign_key', 'show', 'filterable', 'sortable', 'title']) delete s[k];
  if (c.type === 'json') return forResponse ? {} : s;
  if (forResponse && (c.nullable || !c.required)) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];
    s.type = [...new Set([...types, 'null'])];
    delete s.format;
    delete s.minimum;
    delete s.maximum;
  }
  return s;
}

function tableSchemas(t: TableSpec): Record<string, Json> {
  const props = Object.fromEntries(t.columns.map((c) => [c.name, propertySchema(c, false)]));
  const required = t.columns.filter((c) => c.required).map((c) => c.name);
  const responseProps: Json = Object.fromEntries(t.columns.map((c) => [c.name, propertySchema(c, true)]));
  if (t.autoId) responseProps.id = { type: 'integer' };
  const editProps = Object.fromEntries(t.columns.filter((c) => c.name !== 'id').map((c) => [c.name, propertySchema(c, false)]));
  return {
    [`${t.pascal}Response`]: { type: 'object', required: t.autoId ? ['id'] : ['id'], properties: responseProps },
    [`${t.pascal}PostRequest`]: { type: 'object', ...(required.length ? { required } : {}), properties: props, additionalProperties: false },
    [`${t.pascal}EditRequest`]: { type: 'object', properties: editProps, additionalProperties: false },
    [`${t.pascal}BulkPostRequest`]: {
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'array', items: { $ref: `#/components/schemas/${t.pascal}PostRequest` } } },
      additionalProperties: false,
    },
    [`${t.pascal}BulkPutRequest`]: {
      type: 'object',
      required: ['data'],
      properties: {
        data: {
          type: 'array',
          items: { type: 'object', required: ['id'], properties: { ...editProps, id: { type: t.idType } }, additionalProperties: false },
        },
      },
      additionalProperties: false,
    },
  };
}

const errorResponses = (codes: number[]): Json => Object.fromEntries(codes.map((c) => [String(c), { $ref: '#/components/responses/GeneratedError' }]));
const jsonBody = (ref: string): Json => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const jsonReply = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });
const message = { $ref: '#/components/schemas/GeneratedMessage' };

export function operationIdsOf(t: TableSpec): Record<MethodOption, string> {
  return {
    get_list: `list${t.pascal}`,
    post_list: `create${t.pascal}`,
    get_detail: `get${t.pascal}`,
    put_detail: `update${t.pascal}`,
    patch_detail: `patch${t.pascal}`,
    delete_detail: `delete${t.pascal}`,
    post_bulk: `bulkCreate${t.pascal}`,
    put_bulk: `bulkUpsert${t.pascal}`,
  };
}

export function pluginSpec(tables: TableSpec[], appName?: string): Json {
  const paths: Record<string, Json> = {};
  const views: Json[] = [];
  const schemas: Record<string, Json> = {
    GeneratedMessage: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
    GeneratedErrorBody: { type: 'object', properties: { error: { type: 'string' } } },
  };
  if (appName) {
    const p = pascal(appName);
    schemas[`${p}Message`] = schemas.GeneratedMessage!;
    schemas[`${p}ErrorBody`] = schemas.GeneratedErrorBody!;
    delete schemas.GeneratedMessage;
    delete schemas.GeneratedErrorBody;
  }
  const tag = appName ?? 'generated';
  const sec = [{ bearerAuth: [] }];
  for (const t of tables) {
    Object.assign(schemas, tableSchemas(t));
    const ids = operationIdsOf(t);
    const has = (m: MethodOption) => t.methods.includes(m);
    const response = { $ref: `#/components/schemas/${t.pascal}Response` };
    const common = (m: MethodOption, summary: string, description: string) => ({ operationId: ids[m], tags: [tag], summary, description, security: sec });
    const list: Json = { 'x-cornflow-view': t.view };
    if (has('get_list')) {
      list.get = {
        ...common('get_list', `List ${t.name}`, `The rows of ${t.dbName} that are not deleted, by id; limit and offset page them.`),
        parameters: [
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
          { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
        ],
        responses: { '200': jsonReply('The rows.', { type: 'array', items: response }), ...errorResponses([400, 403]) },
      };
    }
    if (has('post_list')) {
      list.post = {
        ...common('post_list', `Create a row of ${t.name}`, 'Creates one row and answers it (201). A foreign key to a missing row → 400.'),
        requestBody: jsonBody(`${t.pascal}PostRequest`),
        responses: { '201': jsonReply('Created.', response), ...errorResponses([400, 403]) },
      };
    }
    const detail: Json = { 'x-cornflow-view': `${t.view}-details`, parameters: [{ name: 'idx', in: 'path', required: true, schema: { type: t.idType } }] };
    if (has('get_detail')) {
      detail.get = { ...common('get_detail', `Get a row of ${t.name}`, 'A missing row → 404.'), responses: { '200': jsonReply('The row.', response), ...errorResponses([400, 403, 404]) } };
    }
    if (has('put_detail')) {
      detail.put = {
        ...common('put_detail', `Edit a row of ${t.name}`, 'Changes the fields sent. A missing row → 404.'),
        requestBody: jsonBody(`${t.pascal}EditRequest`),
        responses: { '200': jsonReply('Updated.', message), ...errorResponses([400, 403, 404]) },
      };
    }
    if (has('patch_detail')) {
      detail.patch = {
        ...common('patch_detail', `Patch a row of ${t.name}`, 'Changes the fields sent. A missing row → 404.'),
        requestBody: jsonBody(`${t.pascal}EditRequest`),
        responses: { '200': jsonReply('Patched.', message), ...errorResponses([400, 403, 404]) },
      };
    }
    if (has('delete_detail')) {
      detail.delete = { ...common('delete_detail', `Delete a row of ${t.name}`, 'A missing row → 404.'), responses: { '200': jsonReply('Deleted.', message), ...errorResponses([400, 403, 404]) } };
    }
    const bulk: Json = { 'x-cornflow-view': `${t.view}-bulk` };
    if (has('post_bulk')) {
      bulk.post = {
        ...common('post_bulk', `Create rows of ${t.name}`, 'Creates every row of `data` in one transaction (all or nothing).'),
        requestBody: jsonBody(`${t.pascal}BulkPostRequest`),
        responses: { '201': jsonReply('Created.', message), ...errorResponses([400, 403]) },
      };
    }
    if (has('put_bulk')) {
      bulk.put = {
        ...common('put_bulk', `Upsert rows of ${t.name}`, 'Updates the rows of `data` by id, creating the missing ones, in one transaction.'),
        requestBody: jsonBody(`${t.pascal}BulkPutRequest`),
        responses: { '201': jsonReply('Updated.', message), ...errorResponses([400, 403]) },
      };
    }
    const idRule = t.idType === 'integer' ? '<int:idx>' : '<string:idx>';
    for (const [path, item, view, rule] of [
      [t.url, list, t.view, t.url],
      [`${t.url}{idx}/`, detail, `${t.view}-details`, `${t.url}${idRule}/`],
      [`${t.url}bulk/`, bulk, `${t.view}-bulk`, `${t.url}bulk/`],
    ] as [string, Json, string, string][]) {
      if (!Object.keys(item).some((k) => ['get', 'post', 'put', 'patch', 'delete'].includes(k))) continue;
      paths[path] = item;
      views.push({ name: view, url_rule: rule, roles: t.roles });
    }
  }
  const errName = appName ? `${pascal(appName)}ErrorBody` : 'GeneratedErrorBody';
  const msgName = appName ? `${pascal(appName)}Message` : 'GeneratedMessage';
  const errResp = appName ? `${pascal(appName)}Error` : 'GeneratedError';
  let text = JSON.stringify({
    openapi: '3.1.0',
    info: { title: `${appName ?? 'generated'} (generated by cornflow schemas generate_from_schema)`, version: '1.0.0', license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    servers: [{ url: 'http://127.0.0.1:5000' }],
    tags: [{ name: tag, description: `Tables of ${tag}.` }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: { GeneratedError: { description: 'An error.', content: { 'application/json': { schema: { $ref: `#/components/schemas/${errName}` } } } } },
      schemas,
    },
    'x-cornflow-views': views,
  });
  text = text.replaceAll('#/components/schemas/GeneratedMessage', `#/components/schemas/${msgName}`).replaceAll('#/components/responses/GeneratedError', `#/components/responses/${errResp}`).replace('"GeneratedError":{', `"${errResp}":{`);
  return JSON.parse(text) as Json;
}

// ---------- runtime (index.mjs) and checks (checks.mjs) ----------

function pluginName(appName: string | undefined, tables: TableSpec[]): string {
  return appName ?? `generated_${tables.map((t) => t.name).join('_')}`.toLowerCase().slice(0, 60);
}

function tableMeta(tables: TableSpec[]) {
  return tables.map((t) => ({
    name: t.name,
    db: t.dbName,
    autoId: t.autoId,
    idType: t.idType,
    ops: operationIdsOf(t),
    methods: t.methods,
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.required && !c.nullable, references: c.references })),
  }));
}

const RUNTIME = String.raw`// Generated by cornflow schemas generate_from_schema: a cornflow-ts plugin (docs/plugins.md). It has no imports:
// the server passes the database (deps.db) to every handler. The contract is openapi.json next to this file.
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8'));
const TABLES = __TABLES__;
const NAME = __NAME__;

const now = () => { const i = new Date().toISOString(); return i.slice(0, 10) + ' ' + i.slice(11, 19) + '.' + i.slice(20, 23) + '000'; };
const missing = { status: 404, body: { error: 'The data entity does not exist on the database' } };
const isIntegrity = (e) => typeof e?.code === 'string' && (e.code.startsWith('SQLITE_CONSTRAINT') || e.code.startsWith('23'));
const integrity = (action, data) => ({ status: 400, body: { error: 'Integrity error on ' + action + ' with data ' + JSON.stringify(data) } });

function toRow(t, r) {
  const out = {};
  if (t.autoId) out.id = Number(r.id);
  for (const c of t.columns) {
    const v = r[c.name];
    if (v === null || v === undefined) out[c.name] = null;
    else if (c.type === 'json') out[c.name] = typeof v === 'string' ? JSON.parse(v) : v;
    else if (c.type === 'boolean') out[c.name] = v === true || v === 1 || v === '1' || v === 't' || v === 'true';
    else if (c.type === 'integer' || c.type === 'number') out[c.name] = Number(v);
    else out[c.name] = v;
  }
  return out;
}

function toDb(t, body) {
  const out = {};
  for (const c of t.columns) if (c.name in body) out[c.name] = c.type === 'json' && body[c.name] !== null ? JSON.stringify(body[c.name]) : body[c.name];
  return out;
}

const idOf = (t, v) => (t.idType === 'integer' ? Number(v) : String(v));

async function insert(db, t, body) {
  const stamp = now();
  const [row] = await db(t.db).insert({ ...toDb(t, body), created_at: stamp, updated_at: stamp }).returning('id');
  return typeof row === 'object' ? row.id : row;
}

function handlersOf(t) {
  const live = (db) => db(t.db).whereNull('deleted_at');
  const h = {
    get_list: async ({ query, deps }) => {
      const q = live(deps.db).orderBy('id');
      if (query?.limit) q.limit(query.limit);
      if (query?.offset) q.offset(query.offset);
      return { status: 200, body: (await q).map((r) => toRow(t, r)) };
    },
    post_list: async ({ body, deps }) => {
      try {
        const id = await insert(deps.db, t, body);
        return { status: 201, body: toRow(t, await deps.db(t.db).where({ id }).first()) };
      } catch (e) {
        if (isIntegrity(e)) return integrity('saving', body);
        throw e;
      }
    },
    get_detail: async ({ params, deps }) => {
      const row = await live(deps.db).where({ id: idOf(t, params.idx) }).first();
      return row ? { status: 200, body: toRow(t, row) } : missing;
    },
    put_detail: async (ctx) => edit(ctx, 'Updated correctly'),
    patch_detail: async (ctx) => edit(ctx, 'Patched correctly'),
    delete_detail: async ({ params, deps }) => {
      const n = await deps.db(t.db).where({ id: idOf(t, params.idx) }).whereNull('deleted_at').del();
      return n ? { status: 200, body: { message: 'The object has been deleted' } } : missing;
    },
    post_bulk: async ({ body, deps }) => {
      try {
        await deps.db.transaction(async (trx) => { for (const item of body.data) await insert(trx, t, item); });
        return { status: 201, body: { message: 'Created correctly' } };
      } catch (e) {
        if (isIntegrity(e)) return integrity('saving', body.data);
        throw e;
      }
    },
    put_bulk: async ({ body, deps }) => {
      try {
        await deps.db.transaction(async (trx) => {
          for (const item of body.data) {
            const n = await trx(t.db).where({ id: idOf(t, item.id) }).update({ ...toDb(t, item), updated_at: now() });
            if (!n) await insert(trx, t, item);
          }
        });
        return { status: 201, body: { message: 'Updated correctly' } };
      } catch (e) {
        if (isIntegrity(e)) return integrity('updating', body.data);
        throw e;
      }
    },
  };
  async function edit({ params, body, deps }, message) {
    const id = idOf(t, params.idx);
    if (!(await live(deps.db).where({ id }).first())) return missing;
    try {
      if (Object.keys(body).length) await deps.db(t.db).where({ id }).update({ ...toDb(t, body), updated_at: now() });
    } catch (e) {
      if (isIntegrity(e)) return integrity('updating', body);
      throw e;
    }
    return { status: 200, body: { message } };
  }
  return Object.fromEntries(t.methods.map((m) => [t.ops[m], h[m]]));
}

function columnOf(table, c) {
  const col =
    c.type === 'integer' ? table.integer(c.name)
    : c.type === 'number' ? table.double(c.name)
    : c.type === 'boolean' ? table.boolean(c.name)
    : c.type === 'json' ? table.json(c.name)
    : table.string(c.name, 256);
  if (c.name === 'id') col.primary();
  else if (c.notNull) col.notNullable();
  else col.nullable();
  if (c.references) { const [ft, fc] = c.references.split('.'); col.references(fc).inTable(ft); }
}

const migration = {
  async up(knex) {
    for (const t of TABLES) {
      await knex.schema.createTable(t.db, (table) => {
        if (t.autoId) table.increments('id').primary();
        for (const c of t.columns) columnOf(table, c);
        table.timestamp('created_at', { useTz: false }).notNullable();
        table.timestamp('updated_at', { useTz: false }).notNullable();
        table.timestamp('deleted_at', { useTz: false }).nullable();
      });
    }
  },
  async down(knex) {
    for (const t of [...TABLES].reverse()) await knex.schema.dropTableIfExists(t.db);
  },
};

export const plugin = {
  name: NAME,
  spec,
  handlers: Object.assign({}, ...TABLES.map(handlersOf)),
  migrations: { ['001_' + NAME]: migration },
  tables: Object.fromEntries(TABLES.map((t) => [t.db, { secrets: [] }])),
};
export default plugin;
`;

/** A value of the column's JSON schema type (enum first), different for each n. */
function sample(c: ColumnSpec, n: number): unknown {
  const s = c.schema;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[n % s.enum.length];
  const min = typeof s.minimum === 'number' ? s.minimum : 0;
  const max = typeof s.maximum === 'number' ? s.maximum : min + 1000;
  switch (c.type) {
    case 'integer':
      return Math.min(max, Math.ceil(min) + n);
    case 'number':
      return Math.min(max, min + n + 0.5);
    case 'boolean':
      return n % 2 === 0;
    case 'json':
      return Array.isArray(s.type) ? [] : s.type === 'array' ? [] : {};
    default:
      return s.format === 'date' ? `2024-01-${String((n % 28) + 1).padStart(2, '0')}` : s.format === 'date-time' ? `2024-01-01T00:00:0${n % 10}` : `${c.name}-${n}`;
  }
}

const CHECKS = String.raw`// Generated by cornflow schemas generate_from_schema: the plugin's tests, runnable against any server that
// loads it. runChecks(client) exercises every generated operation; client.call(method, url, body?) sends an
// authenticated request as a user with the endpoints' role and resolves to { status, body }.
const TABLES = __TABLES__;

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export async function runChecks(client) {
  const report = [];
  for (const t of TABLES) {
    const has = (m) => t.methods.includes(m);
    const rows = t.rows.map((r) => ({ ...r }));
    const ids = [];
    if (has('post_list')) {
      for (const row of rows.slice(0, 2)) {
        const res = await client.call('post', t.url, row);
        assert(res.status === 201, t.name + ': POST ' + t.url + ' answered ' + res.status + ' ' + JSON.stringify(res.body));
        for (const [k, v] of Object.entries(row)) assert(JSON.stringify(res.body[k]) === JSON.stringify(v), t.name + ': created ' + k + ' differs');
        ids.push(res.body.id);
      }
      const bad = await client.call('post', t.url, { ...rows[0], __unknown__: 1 });
      assert(bad.status === 400, t.name + ': an unknown field must answer 400, got ' + bad.status);
      if (t.required.length) {
        const { [t.required[0]]: _, ...incomplete } = rows[0];
        const res = await client.call('post', t.url, incomplete);
        assert(res.status === 400, t.name + ': a missing required field must answer 400, got ' + res.status);
      }
    }
    if (has('get_list')) {
      const res = await client.call('get', t.url);
      assert(res.status === 200 && Array.isArray(res.body), t.name + ': GET list answered ' + res.status);
      for (const id of ids) assert(res.body.some((r) => r.id === id), t.name + ': created row ' + id + ' not listed');
      const page = await client.call('get', t.url + '?limit=1');
      assert(page.status === 200 && page.body.length <= 1, t.name + ': limit=1 not applied');
    }
    const id = ids[0];
    if (id !== undefined && has('get_detail')) {
      const res = await client.call('get', t.url + id + '/');
      assert(res.status === 200 && res.body.id === id, t.name + ': GET detail answered ' + res.status);
    }
    if (id !== undefined && t.editable) {
      const [col, value] = t.editable;
      if (has('put_detail')) {
        const res = await client.call('put', t.url + id + '/', { [col]: value });
        assert(res.status === 200 && res.body.message === 'Updated correctly', t.name + ': PUT answered ' + res.status);
        if (has('get_detail')) assert(JSON.stringify((await client.call('get', t.url + id + '/')).body[col]) === JSON.stringify(value), t.name + ': PUT not applied');
      }
      if (has('patch_detail')) {
        const res = await client.call('patch', t.url + id + '/', { [col]: value });
        assert(res.status === 200 && res.body.message === 'Patched correctly', t.name + ': PATCH answered ' + res.status);
      }
    }
    if (has('post_bulk')) {
      const res = await client.call('post', t.url + 'bulk/', { data: rows.slice(2, 4) });
      assert(res.status === 201 && res.body.message === 'Created correctly', t.name + ': bulk POST answered ' + res.status + ' ' + JSON.stringify(res.body));
      const bad = await client.call('post', t.url + 'bulk/', { data: [{ __unknown__: 1 }] });
      assert(bad.status === 400, t.name + ': bulk POST with a bad row must answer 400');
    }
    if (has('put_bulk') && id !== undefined) {
      const res = await client.call('put', t.url + 'bulk/', { data: [{ ...rows[0], id }] });
      assert(res.status === 201 && res.body.message === 'Updated correctly', t.name + ': bulk PUT answered ' + res.status + ' ' + JSON.stringify(res.body));
    }
    if (has('get_detail')) {
      const res = await client.call('get', t.url + (t.idType === 'integer' ? '987654' : 'no-such-id') + '/');
      assert(res.status === 404, t.name + ': a missing row must answer 404, got ' + res.status);
    }
    if (t.dependents === 0 && has('delete_detail') && id !== undefined) {
      const res = await client.call('delete', t.url + id + '/');
      assert(res.status === 200, t.name + ': DELETE answered ' + res.status);
      if (has('get_detail')) assert((await client.call('get', t.url + id + '/')).status === 404, t.name + ': deleted row still found');
    }
    report.push(t.name);
  }
  return report;
}
`;

/** Rows for the checks: ids chosen so that foreign keys point at rows created earlier (tables in schema order). */
function checkMeta(tables: TableSpec[]) {
  const order = orderByDependencies(tables);
  return order.map((t) => {
    const rows = [0, 1, 2, 3].map((n) => {
      const row: Json = {};
      for (const c of t.columns) {
        if (c.references) row[c.name] = c.type === 'integer' ? 1 : `${c.references.split('.')[0]}-1`;
        else if (c.name === 'id') row[c.name] = c.type === 'integer' ? n + 1 : `${t.name}-${n + 1}`;
        else if (c.required || n % 2 === 0) row[c.name] = sample(c, n + 1);
      }
      return row;
    });
    const editable = t.columns.find((c) => c.name !== 'id' && !c.references && c.type !== 'json');
    return {
      name: t.name,
      url: t.url,
      idType: t.idType,
      methods: t.methods,
      rows,
      required: t.columns.filter((c) => c.required && c.name !== 'id').map((c) => c.name),
      editable: editable ? [editable.name, sample(editable, 7)] : null,
      dependents: tables.filter((o) => o.columns.some((c) => c.references?.startsWith(`${t.dbName}.`))).length,
    };
  });
}

function orderByDependencies(tables: TableSpec[]): TableSpec[] {
  const done: TableSpec[] = [];
  const pending = [...tables];
  while (pending.length) {
    const i = pending.findIndex((t) => t.columns.every((c) => !c.references || done.some((d) => c.references!.startsWith(`${d.dbName}.`)) || c.references.startsWith(`${t.dbName}.`)));
    if (i < 0) throw new GeneratorError('the foreign keys form a cycle');
    done.push(pending.splice(i, 1)[0]!);
  }
  return done;
}

export interface GeneratedPlugin {
  name: string;
  tables: TableSpec[];
  files: Record<string, string>;
}

export function generatePlugin(opts: GenerateOptions): GeneratedPlugin {
  const tables = orderByDependencies(describeTables(opts));
  const name = pluginName(opts.appName, tables);
  const spec = pluginSpec(tables, opts.appName);
  return {
    name,
    tables,
    files: {
      'openapi.json': JSON.stringify(spec, null, 2) + '\n',
      'index.mjs': RUNTIME.replace('__TABLES__', JSON.stringify(tableMeta(tables), null, 2)).replace('__NAME__', JSON.stringify(name)),
      'checks.mjs': CHECKS.replace('__TABLES__', JSON.stringify(checkMeta(tables), null, 2)),
      'README.md': `# ${name}\n\nGenerated by \`cornflow schemas generate_from_schema\`. Load it with \`CORNFLOW_PLUGINS=<this folder>\`;\n\`cornflow migrations upgrade\` creates its tables (${tables.map((t) => t.dbName).join(', ')}). \`checks.mjs\` holds its tests.\n`,
    },
  };
}

export function writePlugin(generated: GeneratedPlugin, outputPath: string): string[] {
  mkdirSync(outputPath, { recursive: true });
  return Object.entries(generated.files).map(([file, text]) => {
    writeFileSync(join(outputPath, file), text);
    return join(outputPath, file);
  });
}
