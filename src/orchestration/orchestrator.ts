// The seam between cornflow and whatever runs the apps. Only health is needed so far; executions extend it.
import type { Config } from '../config.js';

export interface Orchestrator {
  readonly name: 'local' | 'airflow' | 'databricks';
  /** True when the backend answers its health check. Never throws; bounded by a timeout. */
  healthy(): Promise<boolean>;
}

const HEALTH_TIMEOUT_MS = 5000;

/** Runs apps on this machine: always available while the server runs. */
export class LocalOrchestrator implements Orchestrator {
  readonly name = 'local';
  async healthy(): Promise<boolean> {
    return true;
  }
}

/** Airflow 2 stable API: healthy when both the metadatabase and the scheduler report "healthy". */
export class AirflowHealth implements Orchestrator {
  readonly name = 'airflow';
  constructor(private readonly url: string | undefined, private readonly user: string, private readonly password: string) {}
  async healthy(): Promise<boolean> {
    if (!this.url) return false;
    try {
      const res = await fetch(`${this.url.replace(/\/$/, '')}/api/v1/health`, {
        headers: { authorization: `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}` },
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      if (!res.ok) return false;
      const body = (await res.json()) as { metadatabase?: { status?: string }; scheduler?: { status?: string } };
      return body.metadatabase?.status === 'healthy' && body.scheduler?.status === 'healthy';
    } catch {
      return false;
    }
  }
}

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
}

export function createOrchestrator(config: Config): Orchestrator {
  switch (config.backend) {
    case 'airflow':
      return new AirflowHealth(config.airflow.url, config.airflow.user, config.airflow.password);
    case 'databricks':
      return new DatabricksHealth(config.databricks.host, config.databricks.healthPath);
    default:
      return new LocalOrchestrator();
  }
}
