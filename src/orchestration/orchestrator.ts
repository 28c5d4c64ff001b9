// Picks the backend that runs the apps (CORNFLOW_BACKEND). The interface is in ./types.ts; Airflow 2 is in
// ./airflow.ts, the local placeholder in ./local.ts. Airflow 3 and Databricks clients come from another branch;
// until then Databricks answers its health check only.
import type { Config } from '../config.js';
import type { Orchestrator, RunRequest, RunRef, ExecutionState, RemoteApp } from './types.js';
import { OrchestratorError } from './types.js';
import { AirflowOrchestrator } from './airflow.js';
import { LocalOrchestrator } from './local.js';

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
    throw new OrchestratorError('The Databricks client is not available in this build', 501);
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
    case 'databricks':
      return new DatabricksHealth(config.databricks.host, config.databricks.healthPath);
    default:
      return new LocalOrchestrator();
  }
}
