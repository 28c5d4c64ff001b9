// A bounded pool of child processes for the local backend: each job (app + instance + config (+ solution)) runs in
// its own forked process (src/local/runner.ts), at most `workers` at a time, the rest wait in FIFO order.
// Every job ends with exactly one JobOutcome, whatever the app does: returns, throws, crashes the process, loops
// past its time limit, runs out of memory, or is stopped — the parent keeps serving. See src/local/README.md.
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface JobSpec {
  /** Execution id (what stop() takes). */
  id: string;
  /** App name; resolved through the pool's app modules (solve_model_dag built in). */
  app: string;
  instance: unknown;
  config?: Record<string, unknown>;
  solution?: unknown;
}

export type JobOutcome =
  /** The app returned: `result` is what its solve() answered (solve_model_dag: SolveResult). */
  | { id: string; status: 'ok'; result: unknown; durationMs: number }
  /** The app threw, the process crashed or ran out of memory, or the app is unknown. */
  | { id: string; status: 'error'; message: string; log_text: string; durationMs: number }
  /** Killed at its time limit. */
  | { id: string; status: 'timeout'; message: string; log_text: string; durationMs: number }
  /** Killed (or dequeued) by stop(id). */
  | { id: string; status: 'stopped'; message: string; log_text: string; durationMs: number };

export interface PoolOptions {
  /** Parallel jobs (CORNFLOW_LOCAL_WORKERS); default: the machine's cores. */
  workers?: number;
  /** Hard limit for every job in seconds (CORNFLOW_LOCAL_TIME_LIMIT); default none (the app's limit + grace or the default). */
  timeLimitSeconds?: number;
  /** Added to the app config's timeLimit/seconds before the job is killed (CORNFLOW_LOCAL_TIME_GRACE, default 30). */
  graceSeconds?: number;
  /** Limit for jobs whose config has no time limit, when timeLimitSeconds is not set (default 24 h). */
  defaultTimeLimitSeconds?: number;
  /** V8 heap limit of each job process in MB (CORNFLOW_LOCAL_MAX_MEMORY_MB); default Node's own. */
  maxMemoryMb?: number;
  /** App name → module path exporting solve(instance, config, solution). Merged over the built-in apps. */
  apps?: Record<string, string>;
}

const here = fileURLToPath(import.meta.url);
const ext = here.endsWith('.ts') ? '.ts' : '.js';
const RUNNER = fileURLToPath(new URL(`./runner${ext}`, import.meta.url));
export const BUILT_IN_APP_MODULES: Record<string, string> = {
  solve_model_dag: fileURLToPath(new URL(`../apps/solve_model_dag/solve${ext}`, import.meta.url)),
};
const LOG_TAIL = 64 * 1024;

/** Pool options from the environment (the variables documented in README.md). */
export function poolOptionsFromEnv(env: Record<string, string | undefined> = process.env): PoolOptions {
  const pos = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return n;
  };
  return {
    workers: pos('CORNFLOW_LOCAL_WORKERS'),
    timeLimitSeconds: pos('CORNFLOW_LOCAL_TIME_LIMIT'),
    graceSeconds: pos('CORNFLOW_LOCAL_TIME_GRACE'),
    maxMemoryMb: pos('CORNFLOW_LOCAL_MAX_MEMORY_MB'),
  };
}

interface Pending {
  spec: JobSpec;
  resolve: (o: JobOutcome) => void;
}

interface Running extends Pending {
  child: ChildProcess;
  started: number;
  log: string;
  timer: NodeJS.Timeout;
  /** Set when the parent killed it: why. */
  killed?: 'timeout' | 'stopped';
  done: boolean;
}

export class LocalPool {
  readonly workers: number;
  private readonly queue: Pending[] = [];
  private readonly running = new Map<string, Running>();
  private readonly apps: Record<string, string>;
  private closed = false;

  constructor(private readonly options: PoolOptions = {}) {
    this.workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.apps = { ...BUILT_IN_APP_MODULES, ...(options.apps ?? {}) };
  }

  /** Jobs running now / waiting for a slot. */
  get stats(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.queue.length };
  }

  /** Queue a job; the promise never rejects. An id already queued or running is refused with an error outcome. */
  run(spec: JobSpec): Promise<JobOutcome> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(this.fail(spec.id, 'error', 'the local pool is closed', 0));
      if (this.running.has(spec.id) || this.queue.some((q) => q.spec.id === spec.id)) {
        return resolve(this.fail(spec.id, 'error', `job ${spec.id} is already in the pool`, 0));
      }
      this.queue.push({ spec, resolve });
      this.pump();
    });
  }

  /** Stop a job: a queued one is removed, a running one killed. False if the pool does not know the id. */
  stop(id: string): boolean {
    const i = this.queue.findIndex((q) => q.spec.id === id);
    if (i >= 0) {
      const [p] = this.queue.splice(i, 1);
      p!.resolve(this.fail(id, 'stopped', 'stopped before it started', 0));
      return true;
    }
    const r = this.running.get(id);
    if (!r) return false;
    r.killed ??= 'stopped';
    r.child.kill('SIGKILL');
    return true;
  }

  /** Stop everything (queued and running) and refuse new jobs. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.resolve(this.fail(q.spec.id, 'stopped', 'the local pool was closed', 0));
    const waits = [...this.running.values()].map((r) => new Promise<void>((res) => {
      r.child.once('exit', () => res());
      if (r.child.exitCode !== null || r.child.signalCode !== null) res();
    }));
    for (const id of [...this.running.keys()]) this.stop(id);
    await Promise.all(waits);
  }

  /** Seconds a job may run: the hard limit, else the app's timeLimit (or seconds) + grace, else the default. */
  timeLimitFor(config: Record<string, unknown> = {}): number {
    const own = [config.timeLimit, config.seconds].find((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
    const fromApp = own !== undefined ? own + (this.options.graceSeconds ?? 30) : undefined;
    const hard = this.options.timeLimitSeconds;
    if (hard !== undefined) return fromApp !== undefined ? Math.min(hard, fromApp) : hard;
    return fromApp ?? this.options.defaultTimeLimitSeconds ?? 24 * 3600;
  }

  private fail(id: string, status: 'error' | 'timeout' | 'stopped', message: string, durationMs: number, log = ''): JobOutcome {
    return { id, status, message, log_text: log ? `${message}\n${log}` : `${message}\n`, durationMs };
  }

  private pump(): void {
    while (this.running.size < this.workers && this.queue.length) this.start(this.queue.shift()!);
  }

  private start(p: Pending): void {
    const { spec } = p;
    const module = this.apps[spec.app];
    if (!module) {
      p.resolve(this.fail(spec.id, 'error', `unknown app "${spec.app}" on the local backend`, 0));
      return;
    }
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--max-old-space-size') && !a.startsWith('--inspect'));
    if (RUNNER.endsWith('.ts') && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
    if (this.options.maxMemoryMb) execArgv.push(`--max-old-space-size=${Math.floor(this.options.maxMemoryMb)}`);
    const child = fork(RUNNER, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const limit = this.timeLimitFor(spec.config);
    const r: Running = {
      ...p,
      child,
      started: Date.now(),
      log: '',
      done: false,
      timer: setTimeout(() => {
        r.killed ??= 'timeout';
        child.kill('SIGKILL');
      }, limit * 1000),
    };
    this.running.set(spec.id, r);
    const append = (chunk: Buffer): void => {
      r.log = (r.log + chunk.toString('utf8')).slice(-LOG_TAIL);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    let answer: { type: 'result'; result: unknown } | { type: 'error'; name: string; message: string; stack?: string } | undefined;
    child.on('message', (m: typeof answer) => {
      answer ??= m;
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (r.done) return;
      r.done = true;
      clearTimeout(r.timer);
      this.running.delete(spec.id);
      const ms = Date.now() - r.started;
      let outcome: JobOutcome;
      if (r.killed === 'stopped') outcome = this.fail(spec.id, 'stopped', 'stopped by the user', ms, r.log);
      else if (r.killed === 'timeout') outcome = this.fail(spec.id, 'timeout', `killed after the time limit of ${limit} s`, ms, r.log);
      else if (answer?.type === 'result') outcome = { id: spec.id, status: 'ok', result: answer.result, durationMs: ms };
      else if (answer?.type === 'error') outcome = this.fail(spec.id, 'error', `the app failed: ${answer.name}: ${answer.message}`, ms, `${answer.stack ?? ''}\n${r.log}`.trim());
      else if (spawnError) outcome = this.fail(spec.id, 'error', `could not start the job process: ${spawnError.message}`, ms, r.log);
      else {
        const oom = /heap out of memory|Allocation failed/i.test(r.log);
        const why = oom ? 'ran out of memory' : signal ? `was killed by ${signal}` : `exited with code ${code}`;
        outcome = this.fail(spec.id, 'error', `the job process ${why} without an answer`, ms, r.log);
      }
      p.resolve(outcome);
      this.pump();
    };
    child.on('error', (e) => {
      child.kill('SIGKILL');
      finish(null, null, e);
    });
    // 'close' (not 'exit'): stdout/stderr are drained by then, so the log is complete.
    child.on('close', (code, signal) => finish(code, signal));
    child.send({ type: 'job', module, instance: spec.instance, config: spec.config ?? {}, solution: spec.solution }, (e) => {
      if (e && !r.done) child.kill('SIGKILL');
    });
  }
}
