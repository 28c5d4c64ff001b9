// An Airflow 2 test double: a loopback HTTP server that checks every request cornflow-ts sends against Airflow's
// stable REST spec (method, path, parameters, body, basic auth) and answers spec-conformant responses from an
// in-memory model. Any mismatch is recorded in `violations` (and answered 400), so a test fails with
// `expect(double.violations).to.deep.equal([])`.
// Which spec: Airflow's published v1.yaml, read at test time and never committed: from AIRFLOW2_SPEC_FILE (a file)
// if set, else from a local git mirror of a repository that carries it (AIRFLOW2_SPEC_MIRROR, by default the one
// fetched on the development machine). Without either, the double falls back to our own description of the calls
// cornflow makes (test/support/airflow2-requests.ts), so requests are still checked on a fresh machine. One line
// says which source is used.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { AIRFLOW2_REQUESTS } from './airflow2-requests.js';

const DEFAULT_MIRROR = '/work/.mirror/SM-Huszain+Airflow-UI/repo';
const MIRROR_PATH = 'airflow/api_connexion/openapi/v1.yaml';
const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

type Json = Record<string, unknown>;
interface Param { name: string; in: string; required?: boolean; schema?: Json; $ref?: string }
interface Operation { parameters?: Param[]; requestBody?: { required?: boolean; content?: Json }; responses: Record<string, Json> }
interface Route { template: string; regex: RegExp; names: string[]; item: Json }

/** One line per test process (the module can be loaded twice, e.g. by a dynamic import). */
function say(line: string): void {
  const g = globalThis as { airflow2DoubleSaid?: string };
  if (g.airflow2DoubleSaid === line) return;
  g.airflow2DoubleSaid = line;
  console.log(line);
}

/** Airflow's published spec if it can be read here, else our own description; says which source once. */
function readSpec(): Json {
  const file = process.env.AIRFLOW2_SPEC_FILE;
  if (file) {
    // an explicit file that is not there is a setup error, not a reason to check less
    if (!existsSync(file)) throw new Error(`AIRFLOW2_SPEC_FILE=${file}: no such file`);
    say(`[airflow2 double] checking requests against Airflow's spec in ${file}`);
    return parseYaml(readFileSync(file, 'utf8')) as Json;
  }
  const mirror = process.env.AIRFLOW2_SPEC_MIRROR || DEFAULT_MIRROR;
  if (existsSync(mirror)) {
    try {
      const text = execFileSync('git', [`--git-dir=${mirror}`, 'show', `HEAD:${MIRROR_PATH}`], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      const spec = parseYaml(text) as Json;
      if (spec && typeof spec.paths === 'object') {
        say(`[airflow2 double] checking requests against Airflow's published spec (${mirror}, HEAD:${MIRROR_PATH})`);
        return spec;
      }
    } catch {
      // not a usable mirror: fall back below
    }
  }
  say(`[airflow2 double] Airflow's published spec not found (${mirror}): checking requests against our own schemas (test/support/airflow2-requests.ts)`);
  return AIRFLOW2_REQUESTS;
}

let specCache: { spec: Json; ajv: Ajv; routes: Route[] } | undefined;

function loadSpec() {
  if (specCache) return specCache;
  const spec = readSpec();
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, coerceTypes: false });
  ajv.addSchema({ $id: 'airflow', components: spec.components } as Json);
  const routes: Route[] = Object.entries(spec.paths as Json).map(([template, item]) => {
    const names: string[] = [];
    const regex = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
    return { template, regex, names, item: item as Json };
  });
  specCache = { spec, ajv, routes };
  return specCache;
}

/** Rewrites the spec's local refs to the registered "airflow" document. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `airflow${v}` : rebase(v);
  return out;
}

const validators = new Map<string, ValidateFunction>();
function validator(key: string, schema: unknown): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = loadSpec().ajv.compile(rebase(schema) as Json);
    validators.set(key, v);
  }
  return v;
}

function resolveRef<T>(obj: T & { $ref?: string }): T {
  if (!obj.$ref) return obj;
  const path = obj.$ref.replace(/^#\//, '').split('/');
  let cur: unknown = loadSpec().spec;
  for (const seg of path) cur = (cur as Json)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur as T;
}

function coerce(value: string | string[], schema: Json): unknown {
  const type = schema.type;
  if (type === 'array') return (Array.isArray(value) ? value : [value]).map((v) => coerce(v, (schema.items as Json) ?? {}));
  const one = Array.isArray(value) ? value[value.length - 1]! : value;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(one) ? Number(one) : one;
  if (type === 'boolean') return one === 'true' ? true : one === 'false' ? false : one;
  return one;
}

export interface DagModel { dag_id: string; is_paused: boolean; is_active: boolean; tags: string[]; description: string | null }
export interface RunModel { dag_id: string; dag_run_id: string; state: string; execution_date: string; conf: Json }

export class AirflowDouble {
  readonly violations: string[] = [];
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];
  readonly dags = new Map<string, DagModel>();
  readonly variables = new Map<string, string>();
  readonly runs = new Map<string, RunModel>();
  readonly stopped: Json[] = [];
  healthy = true;
  /** Forces the next matching call to answer this status with an RFC 7807 body. */
  failures: Array<{ method: string; pathPrefix: string; status: number; detail: string }> = [];
  user = 'admin';
  password = 'admin';
  private server: Server;
  private counter = 0;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts listening on a loopback port (the url is usable once `ready()` resolves). */
  listen(): this {
    this.server.listen(0, '127.0.0.1');
    this.server.unref();
    return this;
  }

  /** Resolves once the port is bound. */
  async ready(): Promise<void> {
    if (!this.server.listening) await new Promise<void>((r) => this.server.once('listening', () => r()));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  addDag(dag_id: string, opts: Partial<DagModel> = {}): void {
    this.dags.set(dag_id, { dag_id, is_paused: false, is_active: true, tags: [], description: null, ...opts });
  }

  reset(): void {
    this.violations.length = 0;
    this.requests.length = 0;
    this.failures = [];
    this.healthy = true;
  }

  setRunState(dagRunId: string, state: string): void {
    for (const run of this.runs.values()) if (run.dag_run_id === dagRunId) run.state = state;
  }

  private send(res: ServerResponse, status: number, body: unknown, op?: Operation): void {
    if (op) {
      const spec = resolveRef(op.responses[String(status)] ?? op.responses.default ?? {}) as Json;
      const schema = ((spec.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
      if (!op.responses[String(status)] && !op.responses.default) this.violations.push(`double answered undeclared status ${status}`);
      else if (schema) {
        const v = validator(JSON.stringify(schema), schema);
        if (!v(body)) this.violations.push(`double's ${status} response does not match the spec: ${JSON.stringify(v.errors)}`);
      }
    }
    res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
    res.end(JSON.stringify(body));
  }

  private problem(status: number, title: string, detail: string) {
    return { type: `https://airflow.apache.org/docs/apache-airflow/2.9.0/stable-rest-api-ref.html#section/Errors/${title.replace(/ /g, '')}`, title, status, detail };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const method = (req.method ?? 'GET').toLowerCase();
    const fail = (msg: string) => {
      this.violations.push(`${req.method} ${url.pathname}${url.search}: ${msg}`);
      this.send(res, 400, this.problem(400, 'Bad Request', msg));
    };
    if (!url.pathname.startsWith('/api/v1/')) return fail('not under the server url /api/v1');
    const path = url.pathname.slice('/api/v1'.length);
    const route = loadSpec().routes.find((r) => r.regex.test(path));
    if (!route) return fail('no such path in the spec');
    const op = route.item[method] as Operation | undefined;
    if (!op || !(METHODS as readonly string[]).includes(method)) return fail(`method ${method} not in the spec for ${route.template}`);
    // basic auth (the spec's Basic scheme)
    const expected = `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return fail('missing or wrong basic auth');
    // parameters
    const m = route.regex.exec(path)!;
    const pathValues = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const params = [...((route.item.parameters as Param[] | undefined) ?? []), ...(op.parameters ?? [])].map((p) => resolveRef(p));
    const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
    for (const key of url.searchParams.keys()) if (!known.has(key)) return fail(`unknown query parameter ${key}`);
    for (const p of params) {
      if (p.in !== 'path' && p.in !== 'query') continue;
      const value = p.in === 'path' ? pathValues[p.name] : url.searchParams.getAll(p.name);
      const present = p.in === 'path' ? value !== undefined : (value as string[]).length > 0;
      if (!present) {
        if (p.required) return fail(`missing ${p.in} parameter ${p.name}`);
        continue;
      }
      const v = validator(JSON.stringify(p.schema ?? {}), p.schema ?? {});
      if (!v(coerce(value as string | string[], p.schema ?? {}))) return fail(`parameter ${p.name}: ${JSON.stringify(v.errors)}`);
    }
    // body
    let body: unknown;
    if (op.requestBody) {
      if (!raw) {
        if (op.requestBody.required) return fail('missing request body');
      } else {
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return fail('body is not application/json');
        try {
          body = JSON.parse(raw);
        } catch {
          return fail('body is not JSON');
        }
        const schema = ((op.requestBody.content as Json)['application/json'] as Json).schema;
        const v = validator(JSON.stringify(schema), schema);
        if (!v(body)) return fail(`body: ${JSON.stringify(v.errors)}`);
        const ro = readOnlyViolations(schema, body);
        if (ro.length) return fail(`read-only fields sent: ${ro.join(', ')}`);
      }
    } else if (raw) return fail('a body on an operation without requestBody');
    this.requests.push({ method: method.toUpperCase(), path: `${path}${url.search}`, body });
    const forced = this.failures.findIndex((f) => f.method === method.toUpperCase() && path.startsWith(f.pathPrefix));
    if (forced >= 0) {
      const f = this.failures.splice(forced, 1)[0]!;
      return this.send(res, f.status, this.problem(f.status, 'Forced failure', f.detail));
    }
    this.answer(method, route.template, pathValues, url.searchParams, body, res, op);
  }

  private answer(method: string, template: string, p: Record<string, string>, q: URLSearchParams, body: unknown, res: ServerResponse, op: Operation): void {
    const notFound = (detail: string) => this.send(res, 404, this.problem(404, 'Not Found', detail), op);
    const dagJson = (d: DagModel) => ({ dag_id: d.dag_id, is_paused: d.is_paused, is_active: d.is_active, description: d.description, tags: d.tags.map((name) => ({ name })) });
    const runJson = (r: RunModel) => ({ dag_run_id: r.dag_run_id, dag_id: r.dag_id, execution_date: r.execution_date, logical_date: r.execution_date, state: r.state, conf: r.conf });
    const key = `${method} ${template}`;
    switch (key) {
      case 'get /health': {
        const status = this.healthy ? 'healthy' : 'unhealthy';
        return this.send(res, 200, { metadatabase: { status }, scheduler: { status, latest_scheduler_heartbeat: null } }, op);
      }
      case 'get /dags': {
        const tags = q.getAll('tags');
        const onlyActive = q.get('only_active') !== 'false';
        const all = [...this.dags.values()].filter((d) => (!tags.length || tags.some((t) => d.tags.includes(t))) && (!onlyActive || d.is_active));
        const offset = Number(q.get('offset') ?? 0);
        const limit = Number(q.get('limit') ?? 100);
        return this.send(res, 200, { dags: all.slice(offset, offset + limit).map(dagJson), total_entries: all.length }, op);
      }
      case 'get /dags/{dag_id}': {
        const d = this.dags.get(p.dag_id!);
        return d ? this.send(res, 200, dagJson(d), op) : notFound(`DAG with dag_id: '${p.dag_id}' not found`);
      }
      case 'post /dags/{dag_id}/dagRuns': {
        const d = this.dags.get(p.dag_id!);
        if (!d) return notFound(`DAG with dag_id: '${p.dag_id}' not found`);
        this.counter += 1;
        const date = new Date(Date.UTC(2024, 0, 1, 0, 0, this.counter)).toISOString().replace('.000Z', '+00:00');
        const run: RunModel = { dag_id: d.dag_id, dag_run_id: `manual__${date}`, state: 'queued', execution_date: date, conf: ((body as Json).conf as Json) ?? {} };
        this.runs.set(`${d.dag_id}/${run.dag_run_id}`, run);
        return this.send(res, 200, runJson(run), op);
      }
      case 'get /dags/{dag_id}/dagRuns/{dag_run_id}': {
        const r = this.runs.get(`${p.dag_id}/${p.dag_run_id}`);
        return r ? this.send(res, 200, runJson(r), op) : notFound(`DAGRun with DAG ID: '${p.dag_id}' and DagRun ID: '${p.dag_run_id}' not found`);
      }
      case 'post /dags/{dag_id}/updateTaskInstancesState': {
        const b = body as Json;
        const run = [...this.runs.values()].find((r) => r.dag_id === p.dag_id && r.execution_date === b.execution_date);
        if (!run) return notFound(`Task instance not found for task '${String(b.task_id)}' on execution_date ${String(b.execution_date)}`);
        this.stopped.push({ dag_id: p.dag_id, ...b });
        if (b.dry_run !== true) run.state = 'failed';
        return this.send(res, 200, { task_instances: [{ task_id: String(b.task_id), dag_id: run.dag_id, execution_date: run.execution_date, dag_run_id: run.dag_run_id }] }, op);
      }
      case 'get /variables/{variable_key}': {
        const v = this.variables.get(p.variable_key!);
        return v === undefined ? notFound(`Variable does not exist`) : this.send(res, 200, { key: p.variable_key, value: v, description: null }, op);
      }
      default:
        this.violations.push(`the double does not model ${key}`);
        return this.send(res, 501, this.problem(501, 'Not Implemented', key));
    }
  }
}

/** Names of readOnly properties present in a request body (top level, after resolving refs). */
function readOnlyViolations(schema: unknown, body: unknown): string[] {
  const s = resolveRef(schema as Json & { $ref?: string }) as Json;
  if (!body || typeof body !== 'object') return [];
  const props = (s.properties as Record<string, Json> | undefined) ?? {};
  const out = Object.keys(body).filter((k) => props[k] && (resolveRef(props[k] as Json & { $ref?: string }) as Json).readOnly === true);
  for (const part of (s.allOf as Json[] | undefined) ?? []) out.push(...readOnlyViolations(part, body));
  return out;
}
