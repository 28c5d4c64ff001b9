// Picks the backend that runs the apps (CORNFLOW_BACKEND). The interface is in ./types.ts; Airflow 2 is in
// ./airflow.ts, Airflow 3 in ./airflow3.ts, Databricks in ./databricks.ts, the local backend in ./local.ts (its
// runner: src/local/runtime.ts). Databricks without OAuth credentials answers its health check only.
import type { Config } from '../config.js';
import type { Orchestrator, RunRequest, RunRef, ExecutionState, RemoteApp } from './types.js';
import { OrchestratorError } from './types.js';
import { AirflowOrchestrator } from './airflow.js';
import { LocalOrchestrator } from './local.js';
import { Airflow3Orchestrator } from './airflow3.js';
import { DatabricksOrchestrator } from './databricks.js';

export type { Orchestrator, RunRequest, RunRef, ExecutionState, RemoteApp } from './types.js';
export { OrchestratorError } from './types.js';
export { AirflowOrchestrator } from './airflow.js';
export { LocalOrchestrator } from './local.js';

const HEALTH_TIMEOUT_MS = 5000;

/** Databricks: healthy when the workspace status of DATABRICKS_HEALTH_PATH answers without error_code. */
export class DatabricksHealth implements Orchestrator {
  readonly name = 'databricks';
  constructor(private readonly host: string | undefined, private readonly healthPath: string) {}
  async healthy(): Promise<boolean> {
    if (!this.host || this.healthPath === 'default path') return false;
    try {
      const url = `${this.host.replace(/\/$/, '')}/api/2.0/workspace/get-status?path=${encodeURIComponent(this.healthPath)}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      const body = (await res.json()) as { error_code?: string };
      return body.error_code === undefined;
    } catch {
      return false;
    }
  }
  private missing(): never {
    throw new OrchestratorError('Databricks is not configured: set DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET and DATABRICKS_TOKEN_ENDPOINT', 501);
  }
  async appInfo(_app: string, _checksOnly: boolean): Promise<{ exists: boolean; paused: boolean }> {
    return this.missing();
  }
  async trigger(_run: RunRequest): Promise<{ runId: string }> {
    return this.missing();
  }
  async runState(_run: RunRef): Promise<ExecutionState> {
    return this.missing();
  }
  async stop(_run: RunRef): Promise<void> {
    return this.missing();
  }
  async listApps(): Promise<RemoteApp[]> {
    return [];
  }
  async examples(_app: string) {
    return [];
  }
}

/** The display name cornflow uses in its messages ("Airflow is not accessible"). */
export function backendLabel(orchestrator: Orchestrator): string {
  return orchestrator.name === 'databricks' ? 'Databricks' : 'Airflow';
}

export function createOrchestrator(config: Config): Orchestrator {
  switch (config.backend) {
    case 'airflow':
      return new AirflowOrchestrator(config.airflow.url, config.airflow.user, config.airflow.password);
    case 'airflow3':
      return new Airflow3Orchestrator({ url: config.airflow.url ?? '', user: config.airflow.user, password: config.airflow.password });
    case 'databricks': {
      const { host, clientId, clientSecret, tokenEndpoint, healthPath } = config.databricks;
      if (host && clientId && clientSecret && tokenEndpoint) {
        return new DatabricksOrchestrator({ host, clientId, clientSecret, tokenEndpoint, healthPath });
      }
      return new DatabricksHealth(host, healthPath);
    }
    default:
      return new LocalOrchestrator();
  }
}
