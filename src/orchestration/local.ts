// The local backend (CORNFLOW_BACKEND=local, the embedded default). Triggering an execution puts it in the local
// queue (state −7, run_id 'local:queued', written by the caller from the run id answered here); the runner of each
// server process (src/local/runtime.ts) claims it exactly once, solves it in its process pool and writes the outcome
// through the worker functions of src/domain/worker.ts. The database is authoritative: nothing is polled.
import type { Orchestrator, RunRequest, RunRef, ExecutionState, RemoteApp } from './types.js';
import { builtInApp } from '../apps/index.js';
import { LOCAL_QUEUED_RUN_ID } from '../local/queue.js';

export type LocalRunHook = (executionId: string, run: RunRequest) => void;

export class LocalOrchestrator implements Orchestrator {
  readonly name = 'local';
  private listener: LocalRunHook | undefined;

  /** The runner of this process wants to hear about triggered runs (it also polls, for runs of other processes). */
  onTrigger(listener: LocalRunHook | undefined): void {
    this.listener = listener;
  }
  async healthy(): Promise<boolean> {
    return true;
  }
  async appInfo(_app: string, _checksOnly: boolean): Promise<{ exists: boolean; paused: boolean }> {
    return { exists: true, paused: false };
  }
  async trigger(run: RunRequest): Promise<{ runId: string }> {
    this.listener?.(run.executionId, run);
    return { runId: LOCAL_QUEUED_RUN_ID };
  }
  /** Never consulted for a state change: callers keep the stored state for local runs. */
  async runState(_run: RunRef): Promise<ExecutionState> {
    return -7;
  }
  /** The caller stores −2; the runner that holds the run sees it is no longer its own and kills it. */
  async stop(_run: RunRef): Promise<void> {}
  async listApps(): Promise<RemoteApp[]> {
    return [];
  }
  async examples(app: string) {
    return builtInApp(app)?.examples() ?? [];
  }
}
