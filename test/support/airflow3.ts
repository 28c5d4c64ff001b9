// A loopback Airflow 3 double for the Airflow 3 client tests. EVERY request is checked against Airflow 3's
// published OpenAPI (test/fixtures/airflow3: the simple auth manager's spec, verbatim, and an excerpt of the
// /api/v2 spec): known method + path, required bearer token, query parameter types, request body schema.
// Violations are collected in `violations` (tests assert it stays empty) and answered 422 like FastAPI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import jwt from 'jsonwebtoken';

type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
interface Operation {
  operationId: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: unknown }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: unknown }> };
}

const load = (f: string): Spec => parseYaml(readFileSync(fileURLToPath(new URL(`../fixtures/airflow3/${f}`, import.meta.url)), 'utf8')) as Spec;

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
  health = { metadatabase: { status: 'healthy' }, scheduler: { status: 'healthy' } };
  /** Lifetime of issued tokens, seconds. */
  tokenLifetime = 3600;
  /** Tokens issued before this are refused (to simulate revocation / server restart). */
  revokedBefore = 0;
  /** Delay every answer by this many ms (timeouts). */
  delayMs = 0;
  tokensIssued = 0;
  private server?: Server;
  private readonly ops: Array<{ method: string; re: RegExp; names: string[]; op: Operation; spec: Spec }> = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  constructor() {
    addFormats.default(this.ajv);
    for (const spec of [load('simple-auth-manager.yaml'), load('v2-rest-api-excerpt.yaml')]) {
      const id = `spec${this.ops.length}`;
      this.ajv.addSchema({ $id: id, components: spec.components }, id);
      for (const [path, methods] of Object.entries(spec.paths)) {
        const names: string[] = [];
        const re = new RegExp(`^${path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
        for (const [method, op] of Object.entries(methods)) {
          // rewrite local refs to the registered document
          const fix = (o: unknown): unknown => JSON.parse(JSON.stringify(o).replaceAll('"#/components', `"${id}#/components`));
          this.ops.push({ method: method.toUpperCase(), re, names, op: fix(op) as Operation, spec });
        }
      }
    }
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

  private send(res: ServerResponse, status: number, body: unknown): void {
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
    const match = this.ops.map((o) => ({ o, m: o.method === method ? o.re.exec(url.pathname) : null })).find((x) => x.m);
    if (!match) {
      this.violations.push(`${method} ${url.pathname}: not an operation of the Airflow 3 API`);
      return this.send(res, 404, { detail: 'Not Found' });
    }
    const { o, m } = match;
    const params = Object.fromEntries(o.names.map((n, i) => [n, decodeURIComponent(m![i + 1]!)]));
    const problems: string[] = [];
    // query parameters: known and well typed
    const known = new Map((o.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
    for (const key of new Set(url.searchParams.keys())) {
      const p = known.get(key);
      if (!p) {
        problems.push(`unknown query parameter ${key}`);
        continue;
      }
      const s = p.schema as { type?: string; anyOf?: unknown };
      const values = url.searchParams.getAll(key);
      const val = s.type === 'array' || s.anyOf ? values : s.type === 'integer' ? Number(values[0]) : values[0];
      if (!this.ajv.validate(p.schema as object, val)) problems.push(`query ${key}: ${this.ajv.errorsText()}`);
    }
    // body
    let body: unknown;
    if (o.op.requestBody) {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const media = o.op.requestBody.content[type];
      if (!media) problems.push(`content-type ${type || '(none)'} not accepted`);
      else {
        try {
          body = JSON.parse(raw);
          if (!this.ajv.validate(media.schema as object, body)) problems.push(`body: ${this.ajv.errorsText()}`);
        } catch {
          problems.push('body is not JSON');
        }
      }
    } else if (raw) problems.push('this operation takes no body');
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      return this.send(res, 422, { detail: problems.map((msg) => ({ loc: ['body'], msg, type: 'value_error' })) });
    }
    // auth
    let token: string | undefined;
    if (o.op.security) {
      const h = req.headers.authorization ?? '';
      token = h.startsWith('Bearer ') ? h.slice(7) : undefined;
      try {
        const claims = jwt.verify(token ?? '', this.secret) as { iat: number };
        if (claims.iat * 1000 < this.revokedBefore) throw new Error('revoked');
      } catch {
        this.requests.push({ method, path: url.pathname, operationId: o.op.operationId, query: url.searchParams, body, token });
        return this.send(res, 401, { detail: 'Not authenticated' });
      }
    }
    this.requests.push({ method, path: url.pathname, operationId: o.op.operationId, query: url.searchParams, body, token });
    return this.answer(o.op.operationId, params, url.searchParams, body, res);
  }

  private answer(op: string, p: Record<string, string>, q: URLSearchParams, body: unknown, res: ServerResponse): void {
    const notFound = (what: string) => this.send(res, 404, { detail: `${what} was not found` });
    switch (op) {
      case 'create_token': {
        const b = body as { username: string; password: string };
        if (this.users[b.username] !== b.password) return this.send(res, 401, { detail: 'Invalid credentials' });
        this.tokensIssued += 1;
        const access_token = jwt.sign({ sub: b.username, n: this.tokensIssued }, this.secret, { expiresIn: this.tokenLifetime });
        return this.send(res, 201, { access_token });
      }
      case 'get_health':
        return this.send(res, 200, this.health);
      case 'get_dag': {
        const d = this.dags[p.dag_id!];
        return d ? this.send(res, 200, { dag_id: p.dag_id, is_paused: d.is_paused, description: d.description ?? null }) : notFound(`DAG with dag_id: '${p.dag_id}'`);
      }
      case 'get_dags': {
        const tags = q.getAll('tags');
        const all = Object.entries(this.dags).filter(([, d]) => tags.every((t) => d.tags.includes(t)));
        const offset = Number(q.get('offset') ?? 0);
        const limit = Number(q.get('limit') ?? 50);
        const page = all.slice(offset, offset + limit).map(([dag_id, d]) => ({ dag_id, is_paused: d.is_paused, description: d.description ?? null }));
        return this.send(res, 200, { dags: page, total_entries: all.length });
      }
      case 'trigger_dag_run': {
        if (!this.dags[p.dag_id!]) return notFound(`DAG with dag_id: '${p.dag_id}'`);
        const id = `manual__${new Date().toISOString()}_${Object.keys(this.runs).length}`;
        this.runs[id] = { dag_id: p.dag_id!, state: 'queued', conf: (body as { conf: unknown }).conf };
        return this.send(res, 200, { dag_run_id: id, dag_id: p.dag_id, state: 'queued', logical_date: null, conf: this.runs[id]!.conf });
      }
      case 'get_dag_run': {
        const r = this.runs[p.dag_run_id!];
        return r && r.dag_id === p.dag_id ? this.send(res, 200, { dag_run_id: p.dag_run_id, dag_id: r.dag_id, state: r.state }) : notFound('DagRun');
      }
      case 'patch_dag_run': {
        const r = this.runs[p.dag_run_id!];
        if (!r || r.dag_id !== p.dag_id) return notFound('DagRun');
        const s = (body as { state?: string }).state;
        if (s) r.state = s;
        return this.send(res, 200, { dag_run_id: p.dag_run_id, dag_id: r.dag_id, state: r.state });
      }
      case 'get_variable': {
        const v = this.variables[p.variable_key!];
        return v === undefined ? notFound(`The Variable with key: \`${p.variable_key}\``) : this.send(res, 200, { key: p.variable_key, value: v, description: null, is_encrypted: false, team_name: null });
      }
      default:
        return this.send(res, 501, { detail: `${op} not simulated` });
    }
  }
}
