// The seam between cornflow and whatever runs the apps (Airflow 2, Airflow 3, Databricks, the local pool).
// Executions (src/domain/executions*.ts) talk to an Orchestrator only; each backend implements it.
// Contract: ../shared/reference/cornflow-platform.md §6.2 (Airflow 2), §6.5 (Databricks).
import type { Config } from '../config.js';

/** cornflow's execution state codes (executions.state). */
export type ExecutionState = -7 | -6 | -5 | -4 | -3 | -2 | -1 | 0 | 1 | 2;

/** What a backend needs to start a run: cornflow's `conf` {exec_id, checks_and_kpis_only, case_id?}. */
export interface RunRequest {
  executionId: string;
  /** The app (Airflow dag_id / Databricks job id); for checks-only runs Airflow appends `_check_kpis` itself. */
  app: string;
  checksOnly: boolean;
  caseId?: number;
}

/** A run that has been triggered: what executions.run_id and last_run_checks_and_kpis remember. */
export interface RunRef {
  app: string;
  runId: string;
  checksOnly: boolean;
}

/** An app as the backend knows it (for the start-up sync of deployed_workflows and `cornflow dags register`). */
export interface RemoteApp {
  id: string;
  description: string | null;
  schemas: {
    instance: unknown;
    solution: unknown;
    config: unknown;
    instance_checks: unknown;
    solution_checks: unknown;
    kpis?: unknown;
  };
}

/**
 * An error the backend answered with. cornflow passes Airflow's status and body text through
 * (`AirflowError(error=<text>, status_code=<status>)`); a timeout or refused connection is a CommunicationError
 * (src/domain/errors.ts) instead.
 */
export class OrchestratorError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'OrchestratorError';
  }
}

export interface Orchestrator {
  readonly name: 'local' | 'airflow' | 'airflow3' | 'databricks';
  /** True when the backend answers its health check. Never throws; bounded by a timeout. */
  healthy(): Promise<boolean>;
  /** Does the app exist there, and is it paused (Airflow's is_paused; always false elsewhere)? */
  appInfo(app: string, checksOnly: boolean): Promise<{ exists: boolean; paused: boolean; detail?: string }>;
  /** Start a run; the returned run id is stored in executions.run_id. */
  trigger(run: RunRequest): Promise<{ runId: string }>;
  /** The run's state mapped to cornflow's codes (Airflow: success→1, running→0, failed→−1, queued→−7, else −5). */
  runState(run: RunRef): Promise<ExecutionState>;
  /** Stop a run (the caller then stores −2). Backends that cannot stop throw NotImplemented-style errors (501). */
  stop(run: RunRef): Promise<void>;
  /** The apps the backend offers, with their schemas (Airflow: model DAGs + variables). */
  listApps(): Promise<RemoteApp[]>;
  /** An app's examples (Airflow variable z_<app>_examples): [{name, description?, instance, solution?}]. */
  examples(app: string): Promise<Array<{ name: string; description?: string | null; instance: unknown; solution?: unknown }>>;
}

