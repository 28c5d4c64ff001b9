// A loopback Airflow 3 double for the Airflow 3 client tests. No Airflow 3 OpenAPI is available on this machine,
// so the calls src/orchestration/airflow3.ts makes are described below as JSON schemas written by this project from
// Airflow 3's public REST API reference (airflow.apache.org/docs/apache-airflow/stable/stable-rest-api-ref.html,
// /api/v2) and the simple auth manager's token endpoint (POST /auth/token), like the Databricks double does.
// EVERY request is checked against them: known method + path, bearer token where required, query parameters
// (known, single unless a list, well formed), content type and body. Violations are collected in `violations`
// (tests assert it stays empty) and answered 422 like FastAPI; the double's own answers are checked against the
// documented statuses and the response shapes cornflow reads (a mismatch is a violation too).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import jwt from 'jsonwebtoken';

type Schema = Record<string, unknown>;
const str = { type: 'string' };
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });
const uint = { type: 'string', pattern: '^[0-9]+$' }; // an integer ≥ 0 as it appears in a query string
const list = { type: 'array', items: str };
/** FastAPI's error body: a message, or the list of validation errors. */
const problem = { type: 'object', required: ['detail'], properties: { detail: { anyOf: [str, { type: 'array' }] } } };
const errors = (...statuses: number[]): Record<number, Schema> => Object.fromEntries(statuses.map((s) => [s, problem]));
const dag = {
  type: 'object', required: ['dag_id', 'is_paused'],
  properties: { dag_id: str, is_paused: { type: 'boolean' }, description: nullable(str), tags: { type: 'array' } },
};
// a run's state is queued/running/success/failed in Airflow 3; the client must survive any other string
const dagRun = {
  type: 'object', required: ['dag_run_id', 'dag_id', 'state'],
  properties: { dag_run_id: str, dag_id: str, state: str, logical_date: nullable({ type: 'string', format: 'date-time' }), conf: nullable({ type: 'object' }) },
};
const dateTime = nullable({ type: 'string', format: 'date-time' });

interface Op {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** Path template; `{name}` is one path segment. */
  path: string;
  /** Whether a bearer token from /auth/token is required. */
  bearer: boolean;
  /** Query parameters: an object schema over the string values (an array schema for repeatable ones). */
  query?: Schema;
  /** JSON body schema (application/json); absent: the operation takes no body. */
  body?: Schema;
  /** Documented statuses and the schema of each answer. */
  responses: Record<number, Schema>;
}

/** The documented calls the Airflow 3 client makes. */
export const AIRFLOW3_REQUESTS: Op[] = [
  {
    // simple auth manager: JSON credentials in, a JWT out (201)
    operationId: 'create_token', method: 'POST', path: '/auth/token', bearer: false,
    body: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username: str, password: str } },
    responses: { 201: { type: 'object', required: ['access_token'], properties: { access_token: { type: 'string', minLength: 1 } } }, ...errors(400, 401, 422) },
  },
  {
    operationId: 'get_health', method: 'GET', path: '/api/v2/monitor/health', bearer: false,
    responses: {
      200: {
        type: 'object', required: ['metadatabase', 'scheduler'],
        properties: {
          metadatabase: { type: 'object', required: ['status'], properties: { status: str } },
          scheduler: { type: 'object', required: ['status'], properties: { status: str, latest_scheduler_heartbeat: nullable(str) } },
          triggerer: { type: 'object' },
          dag_processor: nullable({ type: 'object' }),
        },
      },
    },
  },
  {
    operationId: 'get_dags', method: 'GET', path: '/api/v2/dags', bearer: true,
    query: {
      type: 'object', additionalProperties: false,
      properties: {
        limit: uint, offset: uint, tags: list, tags_match_mode: { enum: ['any', 'all'] }, owners: list,
        dag_id_pattern: str, dag_display_name_pattern: str, exclude_stale: { enum: ['true', 'false'] },
        paused: { enum: ['true', 'false'] }, last_dag_run_state: str, order_by: str,
      },
    },
    responses: { 200: { type: 'object', required: ['dags', 'total_entries'], properties: { dags: { type: 'array', items: dag }, total_entries: { type: 'integer', minimum: 0 } } }, ...errors(401, 403, 422) },
  },
  {
    operationId: 'get_dag', method: 'GET', path: '/api/v2/dags/{dag_id}', bearer: true,
    responses: { 200: dag, ...errors(400, 401, 403, 404, 422) },
  },
  {
    // logical_date is required (null: "now"); the run id, data interval, run_after, conf and note are optional;
    // any other field is refused
    operationId: 'trigger_dag_run', method: 'POST', path: '/api/v2/dags/{dag_id}/dagRuns', bearer: true,
    body: {
      type: 'object', required: ['logical_date'], additionalProperties: false,
      properties: {
        dag_run_id: nullable(str), logical_date: dateTime, data_interval_start: dateTime, data_interval_end: dateTime,
        run_after: dateTime, conf: nullable({ type: 'object' }), note: nullable(str),
      },
    },
    responses: { 200: dagRun, ...errors(400, 401, 403, 404, 409, 422) },
  },
  {
    operationId: 'get_dag_run', method: 'GET', path: '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}', bearer: true,
    responses: { 200: dagRun, ...errors(401, 403, 404, 422) },
  },
  {
    // only the state (queued, success or failed) and the note of a run can be changed
    operationId: 'patch_dag_run', method: 'PATCH', path: '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}', bearer: true,
    query: { type: 'object', additionalProperties: false, properties: { update_mask: list } },
    body: { type: 'object', additionalProperties: false, properties: { state: { enum: ['queued', 'success', 'failed'] }, note: nullable(str) } },
    responses: { 200: dagRun, ...errors(400, 401, 403, 404, 422) },
  },
  {
    operationId: 'get_variable', method: 'GET', path: '/api/v2/variables/{variable_key}', bearer: true,
    responses: {
      200: { type: 'object', required: ['key', 'value'], properties: { key: str, value: nullable(str), description: nullable(str), is_encrypted: { type: 'boolean' }, team_name: nullable(str) } },
      ...errors(401, 403, 404, 422),
    },
  },
];

export interface Airflow3Request {
  method: string;
  path: string;
  operationId: string;
  query: URLSearchParams;
  body: unknown;
  token?: string;
}

export class Airflow3Double {
  readonly secret = 'airflow3-double-secret';
  readonly requests: Airflow3Request[] = [];
  readonly violations: string[] = [];
  users: Record<string, string> = { admin: 'admin' };
  dags: Record<string, { is_paused: boolean; tags: string[]; description?: string | null }> = {};
  runs: Record<string, { dag_id: string; state: string; conf: unknown }> = {};
  variables: Record<string, string> = {};
  health = { metadatabase: { status: 'healthy' }, scheduler: { status: 'healthy', latest_scheduler_heartbeat: null as string | null } };
  /** Lifetime of issued tokens, seconds. */
  tokenLifetime = 3600;
  /** Tokens issued before this are refused (to simulate revocation / server restart). */
  revokedBefore = 0;
  /** Delay every answer by this many ms (timeouts). */
  delayMs = 0;
  tokensIssued = 0;
  private server?: Server;
  private readonly ops: Array<{ re: RegExp; names: string[]; op: Op }> = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
    for (const op of AIRFLOW3_REQUESTS) {
      const names: string[] = [];
      const re = new RegExp(`^${op.path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
      this.ops.push({ re, names, op });
    }
  }

  private check(schema: Schema, value: unknown): string | undefined {
    let v = this.compiled.get(schema);
    if (!v) this.compiled.set(schema, (v = this.ajv.compile(schema)));
    if (v(value)) return undefined;
    return (v.errors ?? [])
      .map((e) => `${e.instancePath || '(root)'} ${e.message}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`)
      .join('; ');
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private send(res: ServerResponse, status: number, body: unknown, op?: Op): void {
    if (op) {
      const schema = op.responses[status];
      if (!schema) this.violations.push(`${op.operationId}: the double answered ${status}, not a documented status`);
      else {
        const why = this.check(schema, body);
        if (why) this.violations.push(`${op.operationId}: the double's ${status} answer does not match: ${why}`);
      }
    }
    const out = (): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.delayMs) setTimeout(out, this.delayMs);
    else out();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const match = this.ops.map(({ re, names, op }) => ({ names, op, m: op.method === method ? re.exec(url.pathname) : null })).find((x) => x.m);
    if (!match) {
      this.violations.push(`${method} ${url.pathname}: not an operation of the Airflow 3 API`);
      return this.send(res, 404, { detail: 'Not Found' });
    }
    const { names, op, m } = match;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m![i + 1]!)]));
    const problems: string[] = [];
    // query parameters: known, single unless a list, well formed
    const keys = [...new Set(url.searchParams.keys())];
    if (keys.length && !op.query) problems.push(`this operation takes no query parameters (${keys.join(', ')})`);
    else if (op.query) {
      const props = (op.query.properties ?? {}) as Record<string, Schema>;
      const query: Record<string, unknown> = {};
      for (const key of keys) {
        const values = url.searchParams.getAll(key);
        if (props[key]?.type === 'array') query[key] = values;
        else if (values.length > 1) problems.push(`query ${key} given ${values.length} times`);
        else query[key] = values[0];
      }
      const why = this.check(op.query, query);
      if (why) problems.push(`query: ${why}`);
    }
    // body
    let body: unknown;
    if (op.body) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (type !== 'application/json') problems.push(`content-type ${type || '(none)'} not accepted`);
      else {
        try {
          body = JSON.parse(raw);
        } catch {
          problems.push('body is not JSON');
        }
        if (body !== undefined) {
          const why = this.check(op.body, body);
          if (why) problems.push(`body: ${why}`);
        }
      }
    } else if (raw) problems.push('this operation takes no body');
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      return this.send(res, 422, { detail: problems.map((msg) => ({ loc: ['request'], msg, type: 'value_error' })) }, op);
    }
    // auth
    const h = req.headers.authorization ?? '';
    const token = h.startsWith('Bearer ') ? h.slice(7) : undefined;
    if (op.bearer) {
      try {
        const claims = jwt.verify(token ?? '', this.secret) as { iat: number };
        if (claims.iat * 1000 < this.revokedBefore) throw new Error('revoked');
      } catch {
        this.requests.push({ method, path: url.pathname, operationId: op.operationId, query: url.searchParams, body, token });
        return this.send(res, 401, { detail: 'Not authenticated' }, op);
      }
    }
    this.requests.push({ method, path: url.pathname, operationId: op.operationId, query: url.searchParams, body, token });
    return this.answer(op, params, url.searchParams, body, res);
  }

  private answer(op: Op, p: Record<string, string>, q: URLSearchParams, body: unknown, res: ServerResponse): void {
    const send = (status: number, answer: unknown): void => this.send(res, status, answer, op);
    const notFound = (what: string) => send(404, { detail: `${what} was not found` });
    switch (op.operationId) {
      case 'create_token': {
        const b = body as { username: string; password: string };
        if (this.users[b.username] !== b.password) return send(401, { detail: 'Invalid credentials' });
        this.tokensIssued += 1;
        const access_token = jwt.sign({ sub: b.username, n: this.tokensIssued }, this.secret, { expiresIn: this.tokenLifetime });
        return send(201, { access_token });
      }
      case 'get_health':
        return send(200, this.health);
      case 'get_dag': {
        const d = this.dags[p.dag_id!];
        return d ? send(200, { dag_id: p.dag_id, is_paused: d.is_paused, description: d.description ?? null }) : notFound(`DAG with dag_id: '${p.dag_id}'`);
      }
      case 'get_dags': {
        const tags = q.getAll('tags');
        const all = Object.entries(this.dags).filter(([, d]) => tags.every((t) => d.tags.includes(t)));
        const offset = Number(q.get('offset') ?? 0);
        const limit = Number(q.get('limit') ?? 50);
        const page = all.slice(offset, offset + limit).map(([dag_id, d]) => ({ dag_id, is_paused: d.is_paused, description: d.description ?? null }));
        return send(200, { dags: page, total_entries: all.length });
      }
      case 'trigger_dag_run': {
        if (!this.dags[p.dag_id!]) return notFound(`DAG with dag_id: '${p.dag_id}'`);
        const id = `manual__${new Date().toISOString()}_${Object.keys(this.runs).length}`;
        this.runs[id] = { dag_id: p.dag_id!, state: 'queued', conf: (body as { conf: unknown }).conf };
        return send(200, { dag_run_id: id, dag_id: p.dag_id, state: 'queued', logical_date: null, conf: this.runs[id]!.conf });
      }
      case 'get_dag_run': {
        const r = this.runs[p.dag_run_id!];
        return r && r.dag_id === p.dag_id ? send(200, { dag_run_id: p.dag_run_id, dag_id: r.dag_id, state: r.state }) : notFound('DagRun');
      }
      case 'patch_dag_run': {
        const r = this.runs[p.dag_run_id!];
        if (!r || r.dag_id !== p.dag_id) return notFound('DagRun');
        const s = (body as { state?: string }).state;
        if (s) r.state = s;
        return send(200, { dag_run_id: p.dag_run_id, dag_id: r.dag_id, state: r.state });
      }
      case 'get_variable': {
        const v = this.variables[p.variable_key!];
        return v === undefined ? notFound(`The Variable with key: \`${p.variable_key}\``) : send(200, { key: p.variable_key, value: v, description: null, is_encrypted: false, team_name: null });
      }
      default:
        return this.send(res, 501, { detail: `${op.operationId} not simulated` });
    }
  }
}
