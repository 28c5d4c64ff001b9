// npm run bench [-- --quick] [-- --db sqlite|postgres] [-- --mode single|cluster]
// npm run bench -- --only solve-latency: only the /health/ latency during a 10 000-variable local solve (~1 min).
// autocannon scenarios against a cornflow-ts server started here (`node --import tsx src/server.ts`, one
// process and WEB_CONCURRENCY=cores), on SQLite (a file) and PostgreSQL (a fresh database on TEST_PG_URL),
// plus a bare Express 5 server as the floor. Writes bench/results.json and bench/results.md.
// Peak RSS: the largest sum of VmRSS over the server's node processes, polled every 25 ms during a scenario.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import knex from 'knex';
import { PROJECT_ROOT } from '../../src/paths.js';
import { bigModel } from './big-model.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const only = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const DURATION = QUICK ? 2 : 6;
const WARMUP = QUICK ? 0.5 : 1;
const CONNECTIONS = 16;
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// tsx resolved from the project, since the server runs from an empty folder.
const TSX = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href];

interface Row {
  db: string;
  mode: string;
  scenario: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  peakRssMB: number;
  /** Peak RSS minus the server's RSS just before the scenario (the 50 MB round trip's target: < 4 × payload). */
  peakGrowthMB?: number;
  non2xx: number;
  errors: number;
  note?: string;
}
const rows: Row[] = [];
const skipped: string[] = [];

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The server process and its node descendants (cluster workers, local-backend pool), read from /proc without
 * spawning anything: a synchronous `ps` every few milliseconds stalled this process's event loop, and with it
 * autocannon, which then measured its own stalls (every number of the first runs was capped by it). */
function serverTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const kid of readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
          if (kid && readFileSync(`/proc/${kid}/comm`, 'utf8').trim() === 'node') out.push(Number(kid));
        }
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

const treeRss = (pids: number[]): number => pids.reduce((sum, p) => sum + statusKb(p, 'VmRSS'), 0);

/** Resets each process's peak-RSS mark (VmHWM) through /proc/<pid>/clear_refs; false where the kernel refuses. */
function resetPeaks(pids: number[]): boolean {
  try {
    for (const p of pids) writeFileSync(`/proc/${p}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Runs fn and returns its result with the server tree's peak RSS in MB during it: the sum of the kernel's
 * per-process high-water marks (reset before the scenario), or, where they cannot be reset, a 50 ms poll of VmRSS
 * (cheap /proc reads only, so the load generator in this process is not disturbed). */
async function withPeakRss<T>(
  pid: number,
  fn: () => Promise<T>,
  before?: (rss: number) => void,
  /** Receives the largest growth of one process (its peak minus its RSS before), where peaks can be reset. */
  oneProcess?: (growthMB: number) => void,
): Promise<[T, number]> {
  const pids = serverTree(pid);
  const hwm = resetPeaks(pids);
  const each = pids.map((p) => statusKb(p, 'VmRSS'));
  let peak = treeRss(pids);
  before?.(Math.round(peak / 1024 / 1024));
  const timer = setInterval(() => (peak = Math.max(peak, treeRss(pids))), 50);
  try {
    const out = await fn();
    peak = Math.max(peak, treeRss(pids));
    if (hwm) peak = Math.max(peak, pids.reduce((sum, p) => sum + statusKb(p, 'VmHWM'), 0));
    if (hwm) oneProcess?.(Math.round(Math.max(...pids.map((p, i) => statusKb(p, 'VmHWM') - each[i]!)) / 1024 / 1024));
    return [out, Math.round(peak / 1024 / 1024)];
  } finally {
    clearInterval(timer);
  }
}

async function cannon(pid: number, opts: autocannon.Options): Promise<Omit<Row, 'db' | 'mode' | 'scenario'>> {
  // A short unmeasured warm-up first: V8 compiles the hot path during the first few thousand requests, and
  // those stalls belong to start-up, not to the scenario's p99.
  await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...opts });
  const [r, peak] = await withPeakRss(pid, () => autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }));
  return { reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, peakRssMB: peak, non2xx: r.non2xx, errors: r.errors };
}

async function startProcess(cmd: string[], env: Record<string, string>, readyText: string, cwd: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, cmd, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const spec = JSON.parse(readFileSync(join(PROJECT_ROOT, 'generated', 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
const hasOp = (path: string, method: string) => Boolean(spec.paths[path]?.[method]);

async function benchServer(db: 'sqlite' | 'postgres', mode: 'single' | 'cluster'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cornflow-bench-'));
  let url = `sqlite:///${join(dir, 'cornflow.db')}`;
  let dropPg: (() => Promise<void>) | undefined;
  if (db === 'postgres') {
    const name = `cornflow_bench_${randomBytes(4).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    dropPg = async () => {
      const a = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
      await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.destroy();
    };
  }
  const port = 40000 + Math.floor(Math.random() * 10000);
  const workers = mode === 'single' ? 1 : availableParallelism();
  const start = () => startProcess([...TSX, join(PROJECT_ROOT, 'src', 'server.ts')], {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, SECRET_KEY: 'bench-secret', CORNFLOW_LOG_SILENT: '1',
    WEB_CONCURRENCY: String(workers), CORNFLOW_MAX_BODY_SIZE: '120mb',
  }, 'listening on', dir);
  let child = await start();
  let pid = child.pid!;
  const base = `http://127.0.0.1:${port}`;
  const add = (scenario: string, r: Omit<Row, 'db' | 'mode' | 'scenario'>, note?: string) => {
    const row = { db, mode: mode === 'single' ? '1 process' : `cluster ×${workers}`, scenario, ...r, note };
    rows.push(row);
    console.log(JSON.stringify(row));
  };
  try {
    const loginBody = JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' });
    const login = await fetch(`${base}/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const create = async (body: string) => {
      const res = await fetch(`${base}/instance/`, { method: 'POST', headers: auth, body });
      if (res.status !== 201) throw new Error(`create instance: ${res.status} ${(await res.text()).slice(0, 200)}`);
      return ((await res.json()) as { id: string }).id;
    };
    for (let i = 0; i < 10; i++) await create(JSON.stringify({ name: `bench ${i}`, data: bigModel(2_000) }));
    const oneMb = await create(JSON.stringify({ name: '1 MB', data: bigModel(1024 * 1024) }));

    add('GET /health/', await cannon(pid, { url: `${base}/health/` }));
    add('POST /login/', await cannon(pid, { url: `${base}/login/`, method: 'POST', headers: { 'content-type': 'application/json' }, body: loginBody }));
    add('GET /instance/ (10 instances)', await cannon(pid, { url: `${base}/instance/`, headers: auth }));
    add('GET /instance/{id}/data/ 1 MB', await cannon(pid, { url: `${base}/instance/${oneMb}/data/`, headers: auth }));
    add('GET /instance/{id}/data/ 1 MB, br', await cannon(pid, { url: `${base}/instance/${oneMb}/data/`, headers: { ...auth, 'accept-encoding': 'br' } }));
    const hundredKb = JSON.stringify({ name: '100 KB', data: bigModel(100 * 1024) });
    add('POST /instance/ 100 KB', await cannon(pid, { url: `${base}/instance/`, method: 'POST', headers: auth, body: hundredKb }));
    if (hasOp('/execution/', 'post')) {
      const exec = JSON.stringify({ name: 'bench', instance_id: oneMb, config: {} });
      add('POST /execution/?run=0', await cannon(pid, { url: `${base}/execution/?run=0`, method: 'POST', headers: auth, body: exec }));
      const r = await fetch(`${base}/execution/?run=0`, { method: 'POST', headers: auth, body: exec });
      const id = ((await r.json()) as { id?: string }).id;
      if (id && hasOp('/execution/{idx}/status/', 'get')) add('GET /execution/{id}/status/', await cannon(pid, { url: `${base}/execution/${id}/status/`, headers: auth }));
    } else if (!skipped.length) {
      skipped.push('POST /execution/?run=0 and GET /execution/{id}/status/: not in generated/openapi.json yet (they arrive with the executions branch)');
    }

    // One 50 MB instance created and read back, on a server started anew on the same database: the RSS the other
    // scenarios left (their garbage, the allocator's free lists) would otherwise be the baseline, and the growth
    // would say more about them than about the round trip. A pause after the start: fetch's pooled keep-alive
    // socket was closed with the old server, and the new one settles.
    await stopProcess(child);
    child = await start();
    pid = child.pid!;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const fifty = JSON.stringify({ name: '50 MB', data: bigModel(50 * 1024 * 1024) });
    const t0 = performance.now();
    let idle = 0;
    let oneProcess: number | undefined;
    const [, peak] = await withPeakRss(pid, async () => {
      const id = await create(fifty);
      const back = await fetch(`${base}/instance/${id}/data/`, { headers: { ...auth, 'accept-encoding': 'gzip' } });
      const text = await back.text();
      if (back.status !== 200 || text.length < 50 * 1024 * 1024) throw new Error(`50 MB read back: ${back.status} ${text.length}`);
    }, (rss) => (idle = rss), (mb) => (oneProcess = mb));
    add('50 MB instance: POST then GET data', { reqPerSec: 0, p50: Math.round(performance.now() - t0), p99: 0, peakRssMB: peak, peakGrowthMB: peak - idle, non2xx: 0, errors: 0 }, `${(fifty.length / 1024 / 1024).toFixed(1)} MB body; p50 = round-trip ms; fresh server, RSS before ${idle} MB${workers > 1 && oneProcess !== undefined ? `; largest growth of one process ${oneProcess} MB` : ''}`);
  } finally {
    await stopProcess(child);
    await dropPg?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchFloor(): Promise<void> {
  const port = 40000 + Math.floor(Math.random() * 10000);
  const code = `import express from 'express'; const app = express(); app.get('/', (_q, r) => r.json({ status: 'healthy' })); app.listen(${port}, '127.0.0.1', () => console.log('floor ready'));`;
  const child = await startProcess(['--input-type=module', '-e', code], {}, 'floor ready', PROJECT_ROOT);
  try {
    const row = { db: '-', mode: '1 process', scenario: 'bare Express 5 GET (floor)', ...(await cannon(child.pid!, { url: `http://127.0.0.1:${port}/` })) };
    rows.push(row);
    console.log(JSON.stringify(row));
  } finally {
    await stopProcess(child);
  }
}


/** A multi-dimensional knapsack with `n` binary variables (PuLP JSON, the solve_model_dag instance format). */
function knapsackModel(n: number, rowsCount: number) {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const names = Array.from({ length: n }, (_, j) => `x${j}`);
  const constraints = Array.from({ length: rowsCount }, (_, i) => {
    const coefficients = names.map((name) => ({ name, value: 1 + Math.floor(rnd() * 100) }));
    const sum = coefficients.reduce((a, c) => a + c.value, 0);
    return { name: `cap${i}`, sense: -1, pi: null, constant: -Math.floor(sum / 4), coefficients };
  });
  return {
    parameters: { name: 'knapsack', sense: -1, status: 0, sol_status: 0 }, sos1: [], sos2: [],
    objective: { name: 'obj', coefficients: names.map((name) => ({ name, value: 1 + Math.floor(rnd() * 100) })) },
    constraints,
    variables: names.map((name) => ({ name, lowBound: 0, upBound: 1, cat: 'Integer', varValue: null, dj: null })),
  };
}

/** Back-to-back GET /health/ on `loops` connections until `until()` is true; latencies in ms. */
async function healthLatencies(base: string, loops: number, until: () => boolean): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(Array.from({ length: loops }, async () => {
    while (!until()) {
      const t = performance.now();
      const res = await fetch(`${base}/health/`);
      await res.arrayBuffer();
      out.push(performance.now() - t);
    }
  }));
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10 : 0;
};

/** /health/ latency while the local backend solves a 10 000-variable MIP, against the same server idle. */
async function benchSolveLatency(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cornflow-bench-'));
  const port = 40000 + Math.floor(Math.random() * 10000);
  const child = await startProcess([...TSX, join(PROJECT_ROOT, 'src', 'server.ts')], {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:///${join(dir, 'cornflow.db')}`, SECRET_KEY: 'bench-secret',
    CORNFLOW_LOG_SILENT: '1', WEB_CONCURRENCY: '1', CORNFLOW_BACKEND: 'local', CORNFLOW_LOCAL_WORKERS: '1', CORNFLOW_MAX_BODY_SIZE: '120mb',
  }, 'listening on', dir);
  const base = `http://127.0.0.1:${port}`;
  const LIMIT = 15;
  const add = (scenario: string, xs: number[], seconds: number, peakRssMB: number, note?: string) => {
    const row = { db: 'sqlite', mode: '1 process, local backend', scenario, reqPerSec: Math.round(xs.length / seconds), p50: pct(xs, 50), p99: pct(xs, 99), peakRssMB, non2xx: 0, errors: 0, note };
    rows.push(row);
    console.log(JSON.stringify({ ...row, requests: xs.length, maxMs: pct(xs, 100) }));
  };
  try {
    const login = await fetch(`${base}/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }) });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const model = knapsackModel(10_000, 10);
    const inst = await fetch(`${base}/instance/`, { method: 'POST', headers: auth, body: JSON.stringify({ name: '10 000 variables', schema: 'solve_model_dag', data: model }) });
    if (inst.status !== 201) throw new Error(`create instance: ${inst.status} ${(await inst.text()).slice(0, 300)}`);
    const instanceId = ((await inst.json()) as { id: string }).id;

    let end = performance.now() + 2000;
    await healthLatencies(base, 4, () => performance.now() > end); // warm-up, not counted
    end = performance.now() + 5000;
    const [idle, idlePeak] = await withPeakRss(child.pid!, () => healthLatencies(base, 4, () => performance.now() > end));
    add('GET /health/ idle, before the solve (4 loops, 5 s)', idle, 5, idlePeak, `${idle.length} requests`);

    const t0 = performance.now();
    const ex = await fetch(`${base}/execution/`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'big', instance_id: instanceId, config: { timeLimit: LIMIT, msg: false } }) });
    if (ex.status !== 201) throw new Error(`create execution: ${ex.status} ${(await ex.text()).slice(0, 300)}`);
    const execId = ((await ex.json()) as { id: string }).id;
    let state = 0;
    let done = false;
    const poll = (async () => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 250));
        const st = await fetch(`${base}/execution/${execId}/status/`, { headers: auth });
        state = ((await st.json()) as { state: number }).state;
        if (![0, -7, -5].includes(state)) done = true;
      }
    })();
    end = t0 + (LIMIT + 90) * 1000; // safety stop
    const [busy, busyPeak] = await withPeakRss(child.pid!, () => healthLatencies(base, 4, () => done || performance.now() > end));
    done = true;
    await poll;
    const solveS = ((performance.now() - t0) / 1000).toFixed(1);
    const log = (await (await fetch(`${base}/execution/${execId}/log/`, { headers: auth })).json()) as { log?: { status?: string; best_bound?: number; objective?: number } };
    add('GET /health/ during a 10 000-variable MIP solve (4 loops)', busy, Number(solveS), busyPeak, `${busy.length} requests, max ${pct(busy, 100)} ms; solve ${solveS} s, state ${state}, HiGHS status ${log.log?.status ?? '?'}, timeLimit ${LIMIT} s`);
    end = performance.now() + 5000;
    const [after, afterPeak] = await withPeakRss(child.pid!, () => healthLatencies(base, 4, () => performance.now() > end));
    add('GET /health/ idle, after the solve (4 loops, 5 s)', after, 5, afterPeak, `${after.length} requests`);
  } finally {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = Date.now();
const ONLY = only('--only');
if (ONLY && ONLY !== 'solve-latency') throw new Error(`--only: unknown scenario ${ONLY} (known: solve-latency)`);
if (ONLY) await benchSolveLatency();
else await benchFloor();
for (const db of ['sqlite', 'postgres'] as const) {
  if (ONLY) break;
  if (only('--db') && only('--db') !== db) continue;
  for (const mode of ['single', 'cluster'] as const) {
    if (only('--mode') && only('--mode') !== mode) continue;
    await benchServer(db, mode);
  }
}
if (!ONLY) await benchSolveLatency();
const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  memoryGB: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  date: new Date().toISOString(),
  durationSeconds: DURATION,
  connections: CONNECTIONS,
  quick: QUICK,
  server: 'node --import tsx src/server.ts (autocannon in the same machine, competing for the same cores)',
};
mkdirSync(join(PROJECT_ROOT, 'bench'), { recursive: true });
const OUT = ONLY ? `results-${ONLY}` : QUICK ? 'results-quick' : 'results';
writeFileSync(join(PROJECT_ROOT, 'bench', `${OUT}.json`), JSON.stringify({ machine, skipped, rows }, null, 2) + '\n');
const table = [
  '| database | processes | scenario | req/s | p50 ms | p99 ms | peak RSS MB | peak RSS growth MB | non-2xx |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.db} | ${r.mode} | ${r.scenario}${r.note ? ` (${r.note})` : ''} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.peakRssMB} | ${r.peakGrowthMB ?? '–'} | ${r.non2xx + r.errors} |`),
].join('\n');
writeFileSync(join(PROJECT_ROOT, 'bench', `${OUT}.md`), `${table}\n`);
console.log(`\n${table}\n${skipped.map((s) => `skipped: ${s}`).join('\n')}\nmachine: ${JSON.stringify(machine)}\ntook ${Math.round((Date.now() - started) / 1000)} s`);
