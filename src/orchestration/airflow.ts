// Airflow 2 stable REST API client (AIRFLOW_URL/api/v1, HTTP basic auth): cornflow's exact calls
// (cornflow-api.md §3.10, cornflow-platform.md §6.2), with a timeout on every call and clear errors.
// Non-2xx replies become OrchestratorError(<Airflow body text>, <Airflow status>) as cornflow's AirflowError;
// a timeout or a refused connection becomes CommunicationError("Airflow is not reachable").
import type { Orchestrator, RunRequest, RunRef, ExecutionState, RemoteApp } from './types.js';
import { OrchestratorError } from './types.js';
import { CommunicationError } from '../domain/errors.js';

export const AIRFLOW_TIMEOUT_MS = 10_000;
export const HEALTH_TIMEOUT_MS = 5_000;

/** Airflow dag run state → cornflow execution state. */
export function mapAirflowState(state: unknown): ExecutionState {
  switch (state) {
    case 'success':
      return 1;
    case 'running':
      return 0;
    case 'failed':
      return -1;
    case 'queued':
      return -7;
    default:
      return -5;
  }
}

export class AirflowOrchestrator implements Orchestrator {
  readonly name = 'airflow';
  private readonly base: string | undefined;
  private readonly auth: string;

  constructor(url: string | undefined, user: string, password: string, private readonly timeoutMs = AIRFLOW_TIMEOUT_MS) {
    this.base = url ? `${url.replace(/\/$/, '')}/api/v1` : undefined;
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  /** One call: JSON in, JSON out; non-2xx → OrchestratorError with Airflow's status and body text. */
  private async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    if (!this.base) throw new CommunicationError('Airflow is not reachable');
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: this.auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      throw new CommunicationError(`Airflow is not reachable (${reason})`);
    }
    const text = await res.text();
    if (!res.ok) throw new OrchestratorError(text, res.status);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new OrchestratorError(`Airflow answered ${res.status} with a body that is not JSON`, 502);
    }
  }

  async healthy(): Promise<boolean> {
    try {
      const body = await this.call<{ metadatabase?: { status?: string }; scheduler?: { status?: string } }>('GET', '/health', undefined, HEALTH_TIMEOUT_MS);
      return body.metadatabase?.status === 'healthy' && body.scheduler?.status === 'healthy';
    } catch {
      return false;
    }
  }

  private dagName(app: string, checksOnly: boolean): string {
    return checksOnly ? `${app}_check_kpis` : app;
  }

  /** GET /dags/{dag}: a 404 means the DAG does not exist; other errors propagate. */
  async appInfo(app: string, checksOnly: boolean): Promise<{ exists: boolean; paused: boolean; detail?: string }> {
    try {
      const dag = await this.call<{ is_paused?: boolean | null }>('GET', `/dags/${encodeURIComponent(this.dagName(app, checksOnly))}`);
      return { exists: true, paused: dag.is_paused === true };
    } catch (err) {
      if (err instanceof OrchestratorError && err.status === 404) return { exists: false, paused: false, detail: err.message };
      throw err;
    }
  }

  /** Raw DAG info (cornflow's get_dag_info): errors, including 404, pass through with Airflow's status. */
  async dagInfo(dag: string): Promise<{ is_paused?: boolean | null; [k: string]: unknown }> {
    return this.call('GET', `/dags/${encodeURIComponent(dag)}`);
  }

  async trigger(run: RunRequest): Promise<{ runId: string }> {
    const conf: Record<string, unknown> = { exec_id: run.executionId, checks_and_kpis_only: run.checksOnly };
    if (run.caseId !== undefined) conf.case_id = run.caseId;
    const body = await this.call<{ dag_run_id?: string }>('POST', `/dags/${encodeURIComponent(this.dagName(run.app, run.checksOnly))}/dagRuns`, { conf });
    if (typeof body.dag_run_id !== 'string') throw new OrchestratorError('Airflow did not return a dag_run_id', 502);
    return { runId: body.dag_run_id };
  }

  private async dagRun(run: RunRef): Promise<{ state?: string; execution_date?: string; logical_date?: string }> {
    return this.call('GET', `/dags/${encodeURIComponent(this.dagName(run.app, run.checksOnly))}/dagRuns/${encodeURIComponent(run.runId)}`);
  }

  async runState(run: RunRef): Promise<ExecutionState> {
    return mapAirflowState((await this.dagRun(run)).state);
  }

  /** cornflow: set the task instance of the run (task_id = dag name) and its up/downstream to failed. */
  async stop(run: RunRef): Promise<void> {
    const dag = this.dagName(run.app, run.checksOnly);
    const info = await this.dagRun(run);
    await this.call('POST', `/dags/${encodeURIComponent(dag)}/updateTaskInstancesState`, {
      dry_run: false,
      include_downstream: true,
      include_future: false,
      include_past: false,
      include_upstream: true,
      new_state: 'failed',
      task_id: dag,
      execution_date: info.execution_date ?? info.logical_date,
    });
  }

  /** GET /variables/{name} → the parsed JSON of its `value`. */
  async variable(name: string): Promise<unknown> {
    const body = await this.call<{ value?: string | null }>('GET', `/variables/${encodeURIComponent(name)}`);
    if (typeof body.value !== 'string') return null;
    try {
      return JSON.parse(body.value) as unknown;
    } catch {
      throw new OrchestratorError(`The Airflow variable ${name} is not valid JSON`, 502);
    }
  }

  /** Model DAGs (tag "model", active) with their schemas from the variable named after the DAG. */
  async listApps(): Promise<RemoteApp[]> {
    const apps: RemoteApp[] = [];
    for (let offset = 0; ; ) {
      const page = await this.call<{ dags?: Array<{ dag_id: string; description?: string | null }>; total_entries?: number }>(
        'GET',
        `/dags?limit=100&offset=${offset}&tags=model&only_active=true`,
      );
      const dags = page.dags ?? [];
      for (const dag of dags) {
        let schemas: Record<string, unknown> | null;
        try {
          schemas = (await this.variable(dag.dag_id)) as Record<string, unknown> | null;
        } catch (err) {
          // cornflow crashes on a model DAG whose variable is not written yet; it is skipped until the next sync.
          if (err instanceof OrchestratorError && err.status === 404) continue;
          throw err;
        }
        if (!schemas || typeof schemas !== 'object') continue;
        apps.push({
          id: dag.dag_id,
          description: dag.description ?? null,
          schemas: {
            instance: schemas.instance ?? {},
            solution: schemas.solution ?? {},
            config: schemas.config ?? {},
            instance_checks: schemas.instance_checks ?? {},
            solution_checks: schemas.solution_checks ?? {},
            kpis: schemas.kpis ?? {},
          },
        });
      }
      offset += dags.length;
      if (dags.length === 0 || offset >= (page.total_entries ?? 0)) break;
    }
    return apps;
  }

  /** The variable z_<app>_examples (a JSON list of {name, description, instance, solution?}). */
  async examples(app: string): Promise<Array<{ name: string; description?: string | null; instance: unknown; solution?: unknown }>> {
    const value = await this.variable(`z_${app}_examples`);
    return Array.isArray(value) ? (value as Array<{ name: string; description?: string | null; instance: unknown; solution?: unknown }>) : [];
  }
}
