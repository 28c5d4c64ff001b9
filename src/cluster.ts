// Cluster mode: WEB_CONCURRENCY worker processes (default: the number of cores) share the listening port
// through node:cluster. The primary migrates and seeds the database once, then forks; workers skip the set-up.
// SIGTERM/SIGINT on the primary is passed to every worker, which finishes its in-flight requests and exits;
// the primary exits when they all have (0 if they all exited cleanly). A worker that dies is replaced.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from './config.js';
import { prepare, createLogger } from './bootstrap.js';

export const WORKER_ENV = 'CORNFLOW_CLUSTER_WORKER';
/** A worker that has not exited this long after SIGTERM is killed (its own drain deadline is 10 s). */
const SHUTDOWN_DEADLINE_MS = 15_000;

/** Processes to run: WEB_CONCURRENCY (as gunicorn), else the cores; always 1 on an in-memory SQLite database. */
export function workerCount(config: Config, env: NodeJS.ProcessEnv = process.env): number {
  if (config.database.client === 'better-sqlite3' && config.database.filename === ':memory:') return 1;
  const raw = env.WEB_CONCURRENCY?.trim();
  if (raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`WEB_CONCURRENCY must be a positive integer, got "${raw}"`);
    return n;
  }
  // SQLite has one writer: concurrent writes from several processes wait on its lock and can time out (503), so
  // the embedded default serves from one process unless WEB_CONCURRENCY asks for more. PostgreSQL: every core.
  if (config.database.client === 'better-sqlite3') return 1;
  return availableParallelism();
}

export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_ENV] === '1';
}

/** Worker side: tell the primary this worker is ready. */
export function reportReady(url: string): void {
  process.send?.({ cornflow: 'ready', url });
}

/** Primary side: set up the database once, fork the workers, resolve with the URL when all of them serve. */
export async function runPrimary(config: Config, workers: number, log: (line: string) => void = console.log): Promise<void> {
  const logger = createLogger(config);
  const deps = await prepare(config, { logger });
  await deps.db.destroy();

  let shuttingDown = false;
  let started = false;
  const ready = new Set<number>();
  const fork = (): Worker => cluster.fork({ [WORKER_ENV]: '1' });

  const allReady = new Promise<string>((resolve, reject) => {
    cluster.on('message', (worker, msg: { cornflow?: string; url?: string }) => {
      if (msg?.cornflow !== 'ready') return;
      ready.add(worker.id);
      if (!started && ready.size === workers) {
        started = true;
        resolve(msg.url ?? '');
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      ready.delete(worker.id);
      if (shuttingDown) return;
      if (!started) {
        reject(new Error(`worker ${worker.process.pid} exited during start-up (code ${code}, signal ${signal})`));
        return;
      }
      logger.error({ pid: worker.process.pid, code, signal }, 'worker died: starting another');
      fork();
    });
  });
  for (let i = 0; i < workers; i++) fork();
  let url: string;
  try {
    url = await allReady;
  } catch (err) {
    shuttingDown = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
    throw err;
  }
  log(`cornflow-ts listening on ${url} (${workers} worker processes)`);

  const stop = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${signal} received: finishing in-flight requests`);
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let clean = true;
    let left = alive.length;
    const done = () => process.exit(clean ? 0 : 1);
    if (left === 0) done();
    const timer = setTimeout(() => {
      clean = false;
      for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
    }, SHUTDOWN_DEADLINE_MS).unref();
    for (const w of alive) {
      w.once('exit', (code) => {
        if (code !== 0) clean = false;
        if (--left === 0) {
          clearTimeout(timer);
          done();
        }
      });
      w.process.kill('SIGTERM');
    }
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
