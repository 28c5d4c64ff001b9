// The local backend (CORNFLOW_BACKEND=local, the test default). MINIMAL PLACEHOLDER: the real runner (HiGHS,
// process pool) replaces `enqueueLocalRun` at merge. The database is authoritative for local runs: the runner
// writes states, logs and solutions through the worker functions of src/domain/worker.ts.
import type { Orchestrator, RunRequest, RunRef, ExecutionState, RemoteApp } from './types.js';
import { builtInApp } from '../apps/index.js';

export type LocalRunHook = (executionId: string, run: RunRequest) => void;

let hook: LocalRunHook = () => {
  /* no-op until the local runner is merged */
};

/** Hands a triggered execution to the local runner (a no-op in this branch). */
export function enqueueLocalRun(executionId: string, run: RunRequest): void {
  hook(executionId, run);
}

/** Lets the local runner (or a test) receive triggered runs. */
export function setLocalRunHook(next: LocalRunHook): void {
  hook = next;
}

let counter = 0;

export class LocalOrchestrator implements Orchestrator {
  readonly name = 'local';
  async healthy(): Promise<boolean> {
    return true;
  }
  async appInfo(_app: string, _checksOnly: boolean): Promise<{ exists: boolean; paused: boolean }> {
    return { exists: true, paused: false };
  }
  async trigger(run: RunRequest): Promise<{ runId: string }> {
    counter += 1;
    const runId = `local__${new Date().toISOString()}_${counter}`;
    enqueueLocalRun(run.executionId, run);
    return { runId };
  }
  /** Never consulted for a state change: callers keep the stored state for local runs (see refreshable()). */
  async runState(_run: RunRef): Promise<ExecutionState> {
    return -7;
  }
  async stop(_run: RunRef): Promise<void> {
    /* the runner notices the −2 state written by the caller */
  }
  async listApps(): Promise<RemoteApp[]> {
    return [];
  }
  async examples(app: string) {
    return builtInApp(app)?.examples() ?? [];
  }
}
