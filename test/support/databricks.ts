// A loopback Databricks double for the Databricks client tests. No OpenAPI of the Jobs API 2.1 is published by
// Databricks in a form we could fetch here, so the request shapes documented in the REST API reference
// (docs.databricks.com/api/workspace/jobs: run-now, runs/get, runs/cancel, jobs/get; workspace/get-status; OAuth
// machine-to-machine token endpoint) are encoded below as JSON schemas, and EVERY request is checked against
// them (method, path, query, body, auth). Violations are collected in `violations`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';

const int64 = { type: 'integer', minimum: 0 };
interface Op {
  method: 'GET' | 'POST';
  path: string;
  auth: 'bearer' | 'basic';
  query?: object;
  body?: object;
  form?: object;
}
/** Documented request shapes (Jobs API 2.1, Workspace API 2.0, OAuth M2M). */
export const DATABRICKS_REQUESTS: Record<string, Op> = {
  token: {
    method: 'POST', path: '/oidc/v1/token', auth: 'basic',
    form: { type: 'object', required: ['grant_type', 'scope'], additionalProperties: false, properties: { grant_type: { const: 'client_credentials' }, scope: { type: 'string' } } },
  },
  getStatus: {
    method: 'GET', path: '/api/2.0/workspace/get-status', auth: 'bearer',
    query: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string', minLength: 1 } } },
  },
  jobsGet: {
    method: 'GET', path: '/api/2.1/jobs/get', auth: 'bearer',
    query: { type: 'object', required: ['job_id'], additionalProperties: false, properties: { job_id: { type: 'string', pattern: '^[0-9]+$' }, page_token: { type: 'string' } } },
  },
  runNow: {
    method: 'POST', path: '/api/2.1/jobs/run-now', auth: 'bearer',
    body: {
      type: 'object', required: ['job_id'], additionalProperties: false,
      properties: {
        job_id: int64,
        idempotency_token: { type: 'string', maxLength: 64 },
        job_parameters: { type: 'object', additionalProperties: { type: 'string' } },
        queue: { type: 'object', properties: { enabled: { type: 'boolean' } } },
        performance_target: { type: 'string' },
        only: { type: 'array', items: { type: 'string' } },
      },
    },
  },
  runsGet: {
    method: 'GET', path: '/api/2.1/jobs/runs/get', auth: 'bearer',
    query: { type: 'object', required: ['run_id'], additionalProperties: false, properties: { run_id: { type: 'string', pattern: '^[0-9]+$' }, include_history: { enum: ['true', 'false'] }, include_resolved_values: { enum: ['true', 'false'] }, page_token: { type: 'string' } } },
  },
  runsCancel: {
    method: 'POST', path: '/api/2.1/jobs/runs/cancel', auth: 'bearer',
    body: { type: 'object', required: ['run_id'], additionalProperties: false, properties: { run_id: int64 } },
  },
};

export class DatabricksDouble {
  readonly clientId = 'cid';
  readonly clientSecret = 'csecret';
  readonly violations: string[] = [];
  readonly calls: Array<{ op: string; query: Record<string, string>; body: unknown }> = [];
  jobs = new Set<number>([979073949072767]);
  runs = new Map<number, { job_id: number; params: Record<string, string>; status: { state: string; termination_details?: { code: string } } }>();
  workspacePaths = new Set<string>(['/health']);
  tokensIssued = 0;
  tokenLifetime = 3600;
  validTokens = new Set<string>();
  delayMs = 0;
  private server?: Server;
  private nextRun = 1000;
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

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
    const entry = Object.entries(DATABRICKS_REQUESTS).find(([, o]) => o.method === req.method && o.path === url.pathname);
    if (!entry) {
      this.violations.push(`${req.method} ${url.pathname}: not a documented call`);
      return this.send(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API found' });
    }
    const [name, op] = entry;
    const query = Object.fromEntries(url.searchParams);
    const problems: string[] = [];
    const check = (what: string, schema: object | undefined, value: unknown): void => {
      if (schema && !this.ajv.validate(schema, value)) problems.push(`${what}: ${this.ajv.errorsText()}`);
    };
    check('query', op.query ?? { type: 'object', maxProperties: 0 }, query);
    let body: unknown;
    if (op.body) {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) problems.push('content-type must be application/json');
      try {
        body = JSON.parse(raw);
      } catch {
        problems.push('body is not JSON');
      }
      check('body', op.body, body);
    } else if (op.form) {
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) problems.push('content-type must be form-urlencoded');
      body = Object.fromEntries(new URLSearchParams(raw));
      check('form', op.form, body);
    } else if (raw) problems.push('GET with a body');
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${req.method} ${url.pathname}: ${p}`));
      return this.send(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: problems.join('; ') });
    }
    const auth = req.headers.authorization ?? '';
    if (op.auth === 'basic') {
      if (auth !== `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`) return this.send(res, 401, { error: 'invalid_client' });
    } else if (!this.validTokens.has(auth.replace(/^Bearer /, ''))) {
      return this.send(res, 401, { error_code: 'UNAUTHENTICATED', message: 'Invalid access token.' });
    }
    this.calls.push({ op: name, query, body });
    const b = body as Record<string, unknown>;
    switch (name) {
      case 'token': {
        this.tokensIssued += 1;
        const t = `tok-${this.tokensIssued}`;
        this.validTokens.add(t);
        return this.send(res, 200, { access_token: t, token_type: 'Bearer', expires_in: this.tokenLifetime, scope: 'all-apis' });
      }
      case 'getStatus':
        return this.workspacePaths.has(query.path!)
          ? this.send(res, 200, { object_type: 'DIRECTORY', path: query.path })
          : this.send(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Path (${query.path}) doesn't exist.` });
      case 'jobsGet':
        return this.jobs.has(Number(query.job_id))
          ? this.send(res, 200, { job_id: Number(query.job_id), settings: { name: 'job' } })
          : this.send(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Job ${query.job_id} does not exist.` });
      case 'runNow': {
        if (!this.jobs.has(b.job_id as number)) return this.send(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Job ${b.job_id} does not exist.` });
        const id = this.nextRun++;
        this.runs.set(id, { job_id: b.job_id as number, params: (b.job_parameters ?? {}) as Record<string, string>, status: { state: 'QUEUED' } });
        return this.send(res, 200, { run_id: id, number_in_job: id });
      }
      case 'runsGet': {
        const r = this.runs.get(Number(query.run_id));
        return r ? this.send(res, 200, { run_id: Number(query.run_id), job_id: r.job_id, status: r.status }) : this.send(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Run ${query.run_id} does not exist.` });
      }
      case 'runsCancel': {
        const r = this.runs.get(b.run_id as number);
        if (!r) return this.send(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: `Run ${b.run_id} does not exist.` });
        r.status = { state: 'TERMINATED', termination_details: { code: 'USER_CANCELED' } };
        return this.send(res, 200, {});
      }
    }
    return this.send(res, 500, {});
  }
}
