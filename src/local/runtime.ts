// The local runner of one server process: the glue between the local queue (src/local/queue.ts), the process pool
// (src/local/pool.ts) and the worker functions the /dag/ callbacks use (src/domain/worker.ts), so a local run ends
// with the same states, logs and hashes as a run orchestrated by Airflow.
//
//   trigger (LocalOrchestrator) → executions row −7 'local:queued' → claimNext() here (exactly once across
//   processes) → pool.run() → workerWriteResults() as the worker would with PUT /dag/<id>/.
//
// Each process polls the queue (runs queued by other processes, or before a restart) and is also woken up by its
// own triggers. A run stopped or deleted meanwhile is killed (the watch loop sees it is no longer this worker's);
// runs left running by a dead process are marked failed at start (LocalQueue.recoverAbandoned).
import type { Logger } from 'pino';
import type { Db } from '../storage/db.js';
import type { Config } from '../config.js';
import type { Orchestrator } from '../orchestration/types.js';
import { LocalOrchestrator } from '../orchestration/local.js';
import { LocalPool, type JobOutcome } from './pool.js';
import { LocalQueue, type ClaimedExecution } from './queue.js';
import { workerGetData, workerWriteResults, type WorkerResults } from '../domain/worker.js';
import type { RawJson } from '../api/wire.js';

const POLL_MS = 1000;
const WATCH_MS = 1000;
const HEARTBEAT_MS = 60_000;
const EXEC_STATE_ERROR = -1;
const EXEC_STATE_SAVING = -6;

export interface LocalRuntimeOptions {
  pollMs?: number;
  /** More apps for the pool (the plugins'): app name → module path exporting solve(). */
  apps?: Record<string, string>;
}

export class LocalRuntime {
  readonly queue: LocalQueue;
  readonly pool: LocalPool;
  private readonly running = new Map<string, Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private draining: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly db: Db,
    config: Pick<Config, 'local'>,
    private readonly logger: Logger,
    private readonly options: LocalRuntimeOptions = {},
  ) {
    this.queue = new LocalQueue(db);
    const { workers, timeLimitSeconds, graceSeconds, maxMemoryMb } = config.local;
    this.pool = new LocalPool({ workers, timeLimitSeconds, graceSeconds, maxMemoryMb, apps: options.apps });
  }

  /** Recover runs of dead processes, listen to this process's triggers, start polling. */
  async start(orchestrator: Orchestrator): Promise<void> {
    try {
      const recovered = await this.queue.recoverAbandoned();
      if (recovered.length) this.logger.warn({ executions: recovered.map((r) => r.id) }, 'local runs of a stopped server marked failed');
    } catch (err) {
      this.logger.error({ err }, 'could not recover abandoned local runs');
    }
    if (orchestrator instanceof LocalOrchestrator) orchestrator.onTrigger(() => this.wake());
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms).unref());
    every(this.options.pollMs ?? POLL_MS, () => this.wake());
    every(WATCH_MS, () => void this.watch());
    every(HEARTBEAT_MS, () => void this.queue.heartbeat().catch(() => undefined));
    this.wake();
  }

  /** Claim queued runs while the pool has room. The trigger's row update lands just after the trigger returns. */
  wake(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          await new Promise((r) => setTimeout(r, 20));
          while (!this.closed && this.running.size < this.pool.workers) {
            const claim = await this.queue.claimNext();
            if (!claim) break;
            const done = this.run(claim).finally(() => {
              this.running.delete(claim.id);
              this.wake();
            });
            this.running.set(claim.id, done);
          }
        } while (this.again && !this.closed);
      } catch (err) {
        if (!this.closed) this.logger.debug({ err }, 'local queue poll failed');
      } finally {
        this.draining = undefined;
      }
    })();
  }

  /** Kill runs that were stopped or deleted by a user (in any process) while they ran here. */
  private async watch(): Promise<void> {
    for (const id of [...this.running.keys()]) {
      try {
        if (!(await this.queue.stillMine(id))) this.pool.stop(id);
      } catch {
        /* the database is unreachable for now: keep running */
      }
    }
  }

  private async run(claim: ClaimedExecution): Promise<void> {
    const log = this.logger.child({ execution: claim.id, app: claim.app });
    let outcome: JobOutcome;
    try {
      const input = await workerGetData(this.db, claim.id);
      outcome = await this.pool.run({
        id: claim.id,
        app: claim.app ?? 'solve_model_dag',
        instance: parseRaw(input.data),
        config: claim.config,
        solution: parseRaw(input.solution_data) ?? undefined,
      });
    } catch (err) {
      outcome = { id: claim.id, status: 'error', message: String((err as Error)?.message ?? err), log_text: String((err as Error)?.stack ?? err), durationMs: 0 };
    }
    if (outcome.status === 'stopped' || this.closed) return;
    if (!(await this.queue.stillMine(claim.id).catch(() => false))) return;
    log.info({ status: outcome.status, ms: outcome.durationMs }, 'local run finished');
    await this.write(claim, outcome).catch((err) => log.error({ err }, 'could not write the result of a local run'));
  }

  private async write(claim: ClaimedExecution, outcome: JobOutcome): Promise<void> {
    const app = claim.app ?? 'solve_model_dag';
    if (outcome.status !== 'ok') {
      const head = outcome.status === 'timeout' ? `The execution was stopped at its time limit: ${outcome.message}` : `The execution failed: ${outcome.message}`;
      await workerWriteResults(this.db, claim.id, { state: EXEC_STATE_ERROR, log_text: `${head}\n${outcome.log_text}` });
      return;
    }
    const result = (outcome.result ?? {}) as { solution?: unknown; log_json?: unknown; log_text?: string; checks?: unknown; kpis?: unknown };
    const payload: WorkerResults = { state: 1, log_json: result.log_json ?? {}, log_text: result.log_text ?? '', solution_schema: app };
    if (claim.checksOnly) {
      payload.log_text = 'Data checked.';
      payload.checks = result.checks ?? {};
    } else {
      if (result.solution !== null && result.solution !== undefined && !isEmpty(result.solution)) payload.data = result.solution;
      if (result.checks !== undefined) payload.checks = result.checks;
      if (result.kpis !== undefined) payload.kpis = result.kpis;
    }
    try {
      await workerWriteResults(this.db, claim.id, payload);
    } catch (err) {
      // cornflow's worker: a result that cannot be written (e.g. a solution the schema rejects) → −6.
      const why = (err as { payload?: unknown; message?: string }).payload ?? (err as Error).message;
      await workerWriteResults(this.db, claim.id, {
        state: EXEC_STATE_SAVING,
        log_text: `${payload.log_text ?? ''}\nThe solution could not be saved: ${typeof why === 'string' ? why : JSON.stringify(why)}\n`,
        log_json: payload.log_json,
      });
    }
  }

  /** Stop polling, kill the runs of this process (they will be marked failed at the next start) and wait for them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.pool.close();
    await Promise.allSettled([...this.running.values()]);
    await this.draining?.catch(() => undefined);
  }
}

function parseRaw(raw: RawJson): unknown {
  return JSON.parse(raw.text);
}

function isEmpty(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}
