// The local backend's queue, kept in the executions table itself (no extra table, so a database stays readable
// by cornflow). See src/local/README.md for the protocol.
//
//   queued   state −7, run_id 'local:queued'          (LocalOrchestrator.trigger → markQueued)
//   claimed  state  0, run_id 'local:<worker id>'      (claimNext, exactly once across processes)
//   done     the worker domain functions write state/log/solution as for any backend
//
// A worker id is '<host>/<pid>/<random>'. While a process runs a job it calls heartbeat(), which touches
// updated_at of the executions it owns; recoverAbandoned() (at start-up, and periodically if wanted) marks as
// failed (−1) the claimed executions whose owner is gone: a process of this host that no longer exists, or any
// owner whose heartbeat is older than staleAfterMs. We fail rather than re-queue: the run may have taken its
// process down (out of memory, a native crash), and re-queuing would repeat that forever; the user can relaunch.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { nowStored, storedToMillis } from '../storage/time.js';
import { STATE_MESSAGES } from '../domain/execution-states.js';

export const LOCAL_QUEUED_RUN_ID = 'local:queued';
const LOCAL_PREFIX = 'local:';
export const STATE_QUEUED = -7;
export const STATE_RUNNING = 0;
export const STATE_FAILED = -1;

/** Is this run_id one of the local backend's? */
export const isLocalRunId = (runId: string | null | undefined): boolean => typeof runId === 'string' && runId.startsWith(LOCAL_PREFIX);

export interface ClaimedExecution {
  id: string;
  instanceId: string;
  userId: number;
  /** The app (executions.schema). */
  app: string | null;
  /** executions.config parsed. */
  config: Record<string, unknown>;
  checksOnly: boolean;
  /** The run_id now stored: 'local:<worker id>'. */
  runId: string;
}

export interface RecoveredExecution {
  id: string;
  runId: string;
}

const parse = (v: unknown): Record<string, unknown> => {
  if (v === null || v === undefined) return {};
  if (typeof v === 'string') {
    try {
      const p: unknown = JSON.parse(v);
      return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return typeof v === 'object' ? (v as Record<string, unknown>) : {};
};

export function newWorkerId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

export class LocalQueue {
  readonly runId: string;

  constructor(private readonly db: Knex, readonly workerId: string = newWorkerId()) {
    this.runId = `${LOCAL_PREFIX}${workerId}`;
  }

  private get isPg(): boolean {
    return this.db.client.config.client === 'pg';
  }

  /** Puts an execution in the local queue (state −7, run_id 'local:queued'). */
  async markQueued(executionId: string): Promise<boolean> {
    const n = await this.db('executions')
      .where({ id: executionId })
      .whereNull('deleted_at')
      .update({ state: STATE_QUEUED, state_message: STATE_MESSAGES[STATE_QUEUED], run_id: LOCAL_QUEUED_RUN_ID, updated_at: nowStored() });
    return n === 1;
  }

  /**
   * Claims the oldest queued local execution for this worker (state 0, run_id 'local:<worker id>'), or answers
   * undefined when none is queued. Each queued execution is claimed by exactly one caller, across processes:
   * PostgreSQL skips rows another transaction holds (FOR UPDATE SKIP LOCKED); on SQLite the update is a
   * compare-and-set on state inside one transaction (SQLite serialises writers).
   */
  async claimNext(): Promise<ClaimedExecution | undefined> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const claimed = await this.db.transaction(async (trx) => {
        // SQLite: a write statement (matching no row) takes the RESERVED lock first, so two processes never both read
        // and then fail to upgrade (SQLITE_BUSY); waiting for the lock uses the busy timeout.
        if (!this.isPg) await trx('executions').where({ id: '' }).update({ id: '' });
        let q = trx('executions')
          .select('id', 'instance_id', 'user_id', 'schema', 'config', 'checks_and_kpis_only')
          .where({ state: STATE_QUEUED, run_id: LOCAL_QUEUED_RUN_ID })
          .whereNull('deleted_at')
          .orderBy([{ column: 'created_at' }, { column: 'id' }])
          .first();
        if (this.isPg) q = q.forUpdate().skipLocked();
        const row = (await q) as Record<string, unknown> | undefined;
        if (!row) return null;
        const n = await trx('executions')
          .where({ id: row.id, state: STATE_QUEUED, run_id: LOCAL_QUEUED_RUN_ID })
          .update({ state: STATE_RUNNING, state_message: STATE_MESSAGES[STATE_RUNNING], run_id: this.runId, updated_at: nowStored() });
        if (n !== 1) return undefined; // somebody else got it: try the next one
        return {
          id: String(row.id),
          instanceId: String(row.instance_id),
          userId: Number(row.user_id),
          app: row.schema === null || row.schema === undefined ? null : String(row.schema),
          config: parse(row.config),
          checksOnly: Boolean(row.checks_and_kpis_only),
          runId: this.runId,
        } satisfies ClaimedExecution;
      });
      if (claimed === null) return undefined;
      if (claimed) return claimed;
    }
    return undefined;
  }

  /** Touches updated_at of the executions this worker is running, so other processes know it is alive. */
  async heartbeat(): Promise<number> {
    return this.db('executions').where({ run_id: this.runId, state: STATE_RUNNING }).update({ updated_at: nowStored() });
  }

  /** Is this execution still claimed by this worker (not stopped or deleted meanwhile)? */
  async stillMine(executionId: string): Promise<boolean> {
    const row = await this.db('executions').first('id').where({ id: executionId, run_id: this.runId, state: STATE_RUNNING }).whereNull('deleted_at');
    return Boolean(row);
  }

  /**
   * Marks as failed (−1, with a log_text saying why) the local executions left running by a process that is gone:
   * on this host a pid that no longer exists, anywhere a heartbeat older than staleAfterMs. Never touches this
   * worker's own runs. Answers what it marked.
   */
  async recoverAbandoned(staleAfterMs = 10 * 60_000, now = Date.now()): Promise<RecoveredExecution[]> {
    const rows = (await this.db('executions')
      .select('id', 'run_id', 'updated_at')
      .where({ state: STATE_RUNNING })
      .where('run_id', 'like', `${LOCAL_PREFIX}%`)
      .whereNot({ run_id: this.runId })
      .whereNull('deleted_at')) as Array<{ id: string; run_id: string; updated_at: unknown }>;
    const host = hostname();
    const out: RecoveredExecution[] = [];
    for (const row of rows) {
      const [h, pidText] = row.run_id.slice(LOCAL_PREFIX.length).split('/');
      const pid = Number(pidText);
      let why: string | undefined;
      if (h === host && Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
        why = `the server process that ran it (pid ${pid} on ${host}) is gone`;
      } else if (now - storedToMillis(row.updated_at) > staleAfterMs) {
        why = `its worker (${row.run_id.slice(LOCAL_PREFIX.length)}) sent no heartbeat for ${Math.round(staleAfterMs / 1000)} s`;
      }
      if (!why) continue;
      const log = `The execution was marked as failed at start-up of a cornflow server: ${why}. It did not finish; relaunch it if needed.\n`;
      const n = await this.db('executions')
        .where({ id: row.id, run_id: row.run_id, state: STATE_RUNNING })
        .update({ state: STATE_FAILED, state_message: STATE_MESSAGES[STATE_FAILED], log_text: log, updated_at: nowStored() });
      if (n === 1) out.push({ id: row.id, runId: row.run_id });
    }
    return out;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
