// Airflow 3 backend (CORNFLOW_BACKEND=3): the calls cornflow makes to Airflow 2 (platform §6.2), on Airflow 3's
// stable REST API /api/v2. Differences from Airflow 2 forced by Airflow 3:
// - auth: POST /auth/token {username, password} (simple auth manager, and FAB's token endpoint) → JWT, sent as
//   Bearer; cached until 30 s before its `exp`, fetched again on expiry or on a 401 (one retry);
// - trigger body needs `logical_date` (null: "now", no execution_date any more);
// - stop: PATCH the dag run to state "failed" (Airflow 2's updateTaskInstancesState with execution_date is gone);
// - health: GET /api/v2/monitor/health; DAG list paged with limit/offset (cornflow read one page only).
// Every call has a timeout; a timeout or refused connection is a CommunicationError, any other status than the
// expected one an OrchestratorError carrying Airflow's status and body (as cornflow's AirflowError).
import { CommunicationError } from '../domain/errors.js';
import { OrchestratorError, type ExecutionState, type Orchestrator, type RemoteApp, type RunRef, type RunRequest } from './types.js';

export interface Airflow3Options {
  url: string;
  user: string;
  password: string;
  /** Per request, ms (default 30 000). */
  timeoutMs?: number;
}

const STATE_MAP: Record<string, ExecutionState> = { success: 1, running: 0, failed: -1, queued: -7 };
const CHECK_SUFFIX = '_check_kpis';
const PAGE = 100;

/** The `exp` claim (seconds) of a JWT, without verifying it (the client only needs to know when to refresh). */
function jwtExpiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

export class Airflow3Orchestrator implements Orchestrator {
  readonly name = 'airflow3';
  private readonly base: string;
  private readonly timeoutMs: number;
  private token: { value: string; refreshAt: number } | undefined;
  private pendingToken: Promise<string> | undefined;

  constructor(private readonly options: Airflow3Options) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private async send(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (e as Error).message;
      throw new CommunicationError(`Airflow is not reachable: ${why}`);
    }
  }

  /** A valid bearer token (cached; one request at a time when it has to be fetched). */
  async accessToken(force = false): Promise<string> {
    if (!force && this.token && Date.now() < this.token.refreshAt) return this.token.value;
    this.pendingToken ??= (async () => {
      try {
        const res = await this.send('/auth/token', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ username: this.options.user, password: this.options.password }),
        });
        const text = await res.text();
        if (res.status !== 201 && res.status !== 200) throw new OrchestratorError(text, res.status);
        const value = (JSON.parse(text) as { access_token?: unknown }).access_token;
        if (typeof value !== 'string') throw new OrchestratorError('Airflow answered no access_token', 502);
        const exp = jwtExpiry(value);
        // Without exp: keep it 5 minutes; with exp: until 30 s before it.
        this.token = { value, refreshAt: exp ? exp * 1000 - 30_000 : Date.now() + 300_000 };
        return value;
      } finally {
        this.pendingToken = undefined;
      }
    })();
    return this.pendingToken;
  }

  /** An authenticated /api/v2 call; answers the parsed body of an expected status, else throws OrchestratorError. */
  private async api<T>(method: string, path: string, body?: unknown, ok: number[] = [200]): Promise<{ status: number; body: T }> {
    const call = async (token: string) => this.send(`/api/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let res = await call(await this.accessToken());
    if (res.status === 401) res = await call(await this.accessToken(true));
    const text = await res.text();
    if (!ok.includes(res.status)) throw new OrchestratorError(text, res.status);
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  private dag(app: string, checksOnly: boolean): string {
    return encodeURIComponent(checksOnly ? `${app}${CHECK_SUFFIX}` : app);
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await this.send('/api/v2/monitor/health', { headers: { accept: 'application/json' } });
      if (res.status !== 200) return false;
      const b = (await res.json()) as { metadatabase?: { status?: string }; scheduler?: { status?: string } };
      return b.metadatabase?.status === 'healthy' && b.scheduler?.status === 'healthy';
    } catch {
      return false;
    }
  }

  async appInfo(app: string, checksOnly: boolean): Promise<{ exists: boolean; paused: boolean }> {
    const { status, body } = await this.api<{ is_paused?: boolean }>('GET', `/dags/${this.dag(app, checksOnly)}`, undefined, [200, 404]);
    if (status === 404) return { exists: false, paused: false };
    return { exists: true, paused: body.is_paused === true };
  }

  async trigger(run: RunRequest): Promise<{ runId: string }> {
    const conf: Record<string, unknown> = { exec_id: run.executionId, checks_and_kpis_only: run.checksOnly };
    if (run.caseId !== undefined) conf.case_id = run.caseId;
    const { body } = await this.api<{ dag_run_id?: string }>('POST', `/dags/${this.dag(run.app, run.checksOnly)}/dagRuns`, { logical_date: null, conf });
    if (typeof body?.dag_run_id !== 'string') throw new OrchestratorError('Airflow answered no dag_run_id', 502);
    return { runId: body.dag_run_id };
  }

  async runState(run: RunRef): Promise<ExecutionState> {
    const { body } = await this.api<{ state?: string }>('GET', `/dags/${this.dag(run.app, run.checksOnly)}/dagRuns/${encodeURIComponent(run.runId)}`);
    return STATE_MAP[body?.state ?? ''] ?? -5;
  }

  async stop(run: RunRef): Promise<void> {
    await this.api('PATCH', `/dags/${this.dag(run.app, run.checksOnly)}/dagRuns/${encodeURIComponent(run.runId)}`, { state: 'failed' });
  }

  private async variable(key: string): Promise<unknown> {
    const { body } = await this.api<{ value?: string }>('GET', `/variables/${encodeURIComponent(key)}`);
    try {
      return JSON.parse(body.value ?? '');
    } catch {
      throw new OrchestratorError(`Airflow variable ${key} is not JSON`, 502);
    }
  }

  async listApps(): Promise<RemoteApp[]> {
    const dags: Array<{ dag_id: string; description?: string | null }> = [];
    for (let offset = 0; ; offset += PAGE) {
      const { body } = await this.api<{ dags: Array<{ dag_id: string; description?: string | null }>; total_entries: number }>(
        'GET', `/dags?tags=model&limit=${PAGE}&offset=${offset}`,
      );
      dags.push(...(body.dags ?? []));
      if (!body.dags?.length || dags.length >= body.total_entries) break;
    }
    const apps: RemoteApp[] = [];
    for (const d of dags) {
      const v = (await this.variable(d.dag_id)) as Record<string, unknown>;
      apps.push({
        id: d.dag_id,
        description: d.description ?? null,
        schemas: {
          instance: v.instance, solution: v.solution, config: v.config,
          instance_checks: v.instance_checks, solution_checks: v.solution_checks, kpis: v.kpis,
        },
      });
    }
    return apps;
  }

  async examples(app: string): Promise<Array<{ name: string; description?: string | null; instance: unknown; solution?: unknown }>> {
    const v = await this.variable(`z_${app}_examples`);
    return Array.isArray(v) ? (v as Array<{ name: string; description?: string | null; instance: unknown; solution?: unknown }>) : [];
  }
}
