// Databricks backend (CORNFLOW_BACKEND=2): cornflow's calls (platform §6.5) on the Jobs API 2.1, with
// - an OAuth client-credentials token cached until 60 s before it expires (cornflow fetches one per call);
// - runs/get with run_id as a query parameter, as the Jobs API documents it (cornflow sends a JSON body on GET);
// - job_id sent as the integer the API requires, job_parameters as strings (Jobs API: map of string to string);
// - stop through runs/cancel (cornflow answers 501);
// - a timeout on every request (a timeout or refused connection is a CommunicationError).
import { CommunicationError } from '../domain/errors.js';
import { OrchestratorError, type ExecutionState, type Orchestrator, type RemoteApp, type RunRef, type RunRequest } from './types.js';

export interface DatabricksOptions {
  host: string;
  clientId: string;
  clientSecret: string;
  /** Path of the OAuth token endpoint on the host, e.g. /oidc/v1/token. */
  tokenEndpoint: string;
  /** DATABRICKS_HEALTH_PATH; 'default path' means "not configured": never healthy (as cornflow). */
  healthPath: string;
  timeoutMs?: number;
}

const STATE_MAP: Record<string, ExecutionState> = {
  BLOCKED: -7, PENDING: -7, QUEUED: -7,
  RUNNING: 0, TERMINATING: 0,
  SUCCESS: 1,
  USER_CANCELED: -2,
  OTHER_FINISH_ERROR: -1, RUN_EXECUTION_ERROR: -1,
};

export class DatabricksOrchestrator implements Orchestrator {
  readonly name = 'databricks';
  private readonly host: string;
  private readonly timeoutMs: number;
  private token: { value: string; refreshAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(private readonly options: DatabricksOptions) {
    this.host = options.host.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private async send(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e as Error).message;
      throw new CommunicationError(`Databricks is not reachable: ${why}`);
    }
  }

  async accessToken(force = false): Promise<string> {
    if (!force && this.token && Date.now() < this.token.refreshAt) return this.token.value;
    this.pendingToken ??= (async () => {
      try {
        const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
        const res = await this.send(`${this.host}${this.options.tokenEndpoint}`, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString(),
        });
        const text = await res.text();
        if (res.status !== 200) throw new OrchestratorError(text, res.status);
        const b = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
        if (typeof b.access_token !== 'string') throw new OrchestratorError('Databricks answered no access_token', 502);
        const life = typeof b.expires_in === 'number' ? b.expires_in : 3600;
        this.token = { value: b.access_token, refreshAt: Date.now() + Math.max(0, life - 60) * 1000 };
        return b.access_token;
      } finally {
        this.pendingToken = undefined;
      }
    })();
    return this.pendingToken;
  }

  private async api<T>(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
    const call = async (token: string) => this.send(`${this.host}${path}${qs}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    let res = await call(await this.accessToken());
    if (res.status === 401 || res.status === 403) res = await call(await this.accessToken(true));
    const text = await res.text();
    if (res.status !== 200) throw new OrchestratorError(text, res.status);
    return (text ? JSON.parse(text) : {}) as T;
  }

  private jobId(app: string): number {
    if (!/^\d+$/.test(app)) throw new OrchestratorError(`Databricks job ids are numbers, got "${app}"`, 400);
    return Number(app);
  }

  async healthy(): Promise<boolean> {
    if (this.options.healthPath === 'default path') return false;
    try {
      const b = await this.api<{ error_code?: string }>('GET', '/api/2.0/workspace/get-status', { query: { path: this.options.healthPath } });
      return b.error_code === undefined;
    } catch {
      return false;
    }
  }

  async appInfo(app: string): Promise<{ exists: boolean; paused: boolean }> {
    if (!/^\d+$/.test(app)) return { exists: false, paused: false };
    try {
      const b = await this.api<{ error_code?: string; job_id?: number }>('GET', '/api/2.1/jobs/get', { query: { job_id: app } });
      return { exists: b.error_code === undefined, paused: false };
    } catch (e) {
      if (e instanceof OrchestratorError && (e.status === 400 || e.status === 404)) return { exists: false, paused: false };
      throw e;
    }
  }

  async trigger(run: RunRequest): Promise<{ runId: string }> {
    const b = await this.api<{ run_id?: number }>('POST', '/api/2.1/jobs/run-now', {
      body: {
        job_id: this.jobId(run.app),
        job_parameters: { checks_and_kpis_only: String(run.checksOnly), execution_id: run.executionId },
      },
    });
    if (typeof b.run_id !== 'number') throw new OrchestratorError('Databricks answered no run_id', 502);
    return { runId: String(b.run_id) };
  }

  async runState(run: RunRef): Promise<ExecutionState> {
    const b = await this.api<{
      status?: { state?: string; termination_details?: { code?: string } };
      state?: { life_cycle_state?: string; result_state?: string };
    }>('GET', '/api/2.1/jobs/runs/get', { query: { run_id: run.runId } });
    let state = b.status?.state ?? b.state?.life_cycle_state;
    if (state === 'TERMINATED') {
      const code = b.status?.termination_details?.code ?? (b.state?.result_state === 'CANCELED' ? 'USER_CANCELED' : b.state?.result_state);
      state = code === 'SUCCESS' || code === 'USER_CANCELED' ? code : 'OTHER_FINISH_ERROR';
    }
    return STATE_MAP[state ?? ''] ?? -5;
  }

  async stop(run: RunRef): Promise<void> {
    if (!/^\d+$/.test(run.runId)) throw new OrchestratorError(`Databricks run ids are numbers, got "${run.runId}"`, 400);
    await this.api('POST', '/api/2.1/jobs/runs/cancel', { body: { run_id: Number(run.runId) } });
  }

  /** Databricks has no app registry cornflow reads: deployed_workflows rows are POSTed (platform §6.5). */
  async listApps(): Promise<RemoteApp[]> {
    return [];
  }

  async examples(): Promise<Array<{ name: string; description?: string | null; instance: unknown; solution?: unknown }>> {
    throw new OrchestratorError('This feature is not available for Databricks', 501);
  }
}
