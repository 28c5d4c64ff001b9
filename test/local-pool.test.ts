// The local pool: bounded parallelism, time limits, stop(), crash isolation (crashing, throwing, looping and
// memory-hungry apps in test/fixtures/local-apps), and solve_model_dag run end to end in a child process.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { LocalPool, poolOptionsFromEnv, type JobOutcome } from '../src/local/pool.js';
import type { SolveResult } from '../src/apps/solve_model_dag/solve.js';

const app = (name: string): string => fileURLToPath(new URL(`./fixtures/local-apps/${name}.ts`, import.meta.url));
const apps = Object.fromEntries(['crash', 'throws', 'loop', 'hog', 'echo'].map((n) => [n, app(n)]));

describe('local pool', function () {
  this.timeout(60000);
  let pool: LocalPool;
  afterEach(async () => pool?.close());

  it('runs solve_model_dag in a child process and answers its result', async () => {
    pool = new LocalPool({ workers: 1 });
    const instance = (JSON.parse(readFileSync('/work/shared/reference/cornflow-testdata/new_instance.json', 'utf8')) as { data: unknown }).data;
    const out = await pool.run({ id: 'e1', app: 'solve_model_dag', instance, config: { solver: 'PULP_CBC_CMD', timeLimit: 10 } });
    expect(out.status).to.equal('ok');
    const r = (out as Extract<JobOutcome, { status: 'ok' }>).result as SolveResult;
    expect(r.state).to.equal(1);
    expect(r.log_json.objective).to.be.closeTo(54, 1e-6);
  });

  it('passes instance, config and solution through and runs at most N jobs at a time', async () => {
    pool = new LocalPool({ workers: 2, apps });
    const started = Date.now();
    const outs = await Promise.all([1, 2, 3, 4].map((i) => pool.run({ id: `j${i}`, app: 'echo', instance: { i }, config: { ms: 700 }, solution: { s: i } })));
    expect(outs.every((o) => o.status === 'ok')).to.equal(true);
    const results = outs.map((o) => (o as Extract<JobOutcome, { status: 'ok' }>).result as { instance: { i: number }; solution: { s: number }; pid: number; at: number });
    expect(results.map((r) => r.instance.i)).to.deep.equal([1, 2, 3, 4]);
    expect(results.map((r) => r.solution.s)).to.deep.equal([1, 2, 3, 4]);
    expect(new Set(results.map((r) => r.pid)).size).to.equal(4); // one process per job
    // two waves of ~700 ms: the 3rd and 4th finished clearly after the first two
    const firstWave = Math.max(results[0]!.at, results[1]!.at);
    expect(Math.min(results[2]!.at, results[3]!.at) - started).to.be.at.least(1300);
    expect(firstWave - started).to.be.below(Math.min(results[2]!.at, results[3]!.at) - started);
  });

  it('turns a crash, a throw and an unknown app into error outcomes with a log, and keeps serving', async () => {
    pool = new LocalPool({ workers: 2, apps });
    const [crash, thrown, unknown] = await Promise.all([
      pool.run({ id: 'c', app: 'crash', instance: {} }),
      pool.run({ id: 't', app: 'throws', instance: {} }),
      pool.run({ id: 'u', app: 'nope', instance: {} }),
    ]);
    expect(crash).to.include({ status: 'error' });
    expect((crash as { message: string }).message).to.contain('exited with code 3');
    expect((crash as { log_text: string }).log_text).to.contain('about to crash');
    expect(thrown).to.include({ status: 'error' });
    expect((thrown as { message: string }).message).to.contain('TypeError: bad instance for this app');
    expect((thrown as { log_text: string }).log_text).to.contain('throws.ts');
    expect(unknown).to.include({ status: 'error' });
    expect((unknown as { message: string }).message).to.contain('unknown app "nope"');
    const ok = await pool.run({ id: 'after', app: 'echo', instance: 1 });
    expect(ok.status).to.equal('ok');
    expect(pool.stats).to.deep.equal({ running: 0, queued: 0 });
  });

  it('kills a looping job at its time limit (app timeLimit + grace, capped by the hard limit)', async () => {
    pool = new LocalPool({ workers: 1, apps, timeLimitSeconds: 1 });
    expect(pool.timeLimitFor({ timeLimit: 100 })).to.equal(1);
    const out = await pool.run({ id: 'l', app: 'loop', instance: {} });
    expect(out.status).to.equal('timeout');
    expect(out.durationMs).to.be.within(900, 5000);
    expect((out as { log_text: string }).log_text).to.contain('looping');
    const p2 = new LocalPool({ workers: 1, apps, graceSeconds: 0.5 });
    expect(p2.timeLimitFor({ timeLimit: 1 })).to.equal(1.5);
    expect(p2.timeLimitFor({})).to.equal(24 * 3600);
    const out2 = await p2.run({ id: 'l2', app: 'loop', instance: {}, config: { timeLimit: 1 } });
    expect(out2.status).to.equal('timeout');
    await p2.close();
  });

  it('reports a job that runs out of memory as an error', async () => {
    pool = new LocalPool({ workers: 1, apps, maxMemoryMb: 64 });
    const out = await pool.run({ id: 'h', app: 'hog', instance: {} });
    expect(out.status).to.equal('error');
    expect((out as { message: string }).message).to.contain('ran out of memory');
  });

  it('stop(id) kills a running job and dequeues a waiting one; unknown ids answer false', async () => {
    pool = new LocalPool({ workers: 1, apps });
    const running = pool.run({ id: 'r', app: 'loop', instance: {} });
    const waiting = pool.run({ id: 'w', app: 'echo', instance: {} });
    await new Promise((r) => setTimeout(r, 500));
    expect(pool.stats).to.deep.equal({ running: 1, queued: 1 });
    expect(pool.stop('w')).to.equal(true);
    expect(pool.stop('r')).to.equal(true);
    expect(pool.stop('zzz')).to.equal(false);
    expect((await waiting).status).to.equal('stopped');
    expect((await running).status).to.equal('stopped');
    const dup1 = pool.run({ id: 'd', app: 'echo', instance: {}, config: { ms: 200 } });
    const dup2 = await pool.run({ id: 'd', app: 'echo', instance: {} });
    expect(dup2.status).to.equal('error');
    expect((await dup1).status).to.equal('ok');
  });

  it('reads its settings from the environment and refuses bad values', () => {
    expect(poolOptionsFromEnv({ CORNFLOW_LOCAL_WORKERS: '3', CORNFLOW_LOCAL_TIME_LIMIT: '60', CORNFLOW_LOCAL_TIME_GRACE: '5' }))
      .to.deep.include({ workers: 3, timeLimitSeconds: 60, graceSeconds: 5 });
    expect(() => poolOptionsFromEnv({ CORNFLOW_LOCAL_WORKERS: 'many' })).to.throw(/CORNFLOW_LOCAL_WORKERS/);
    expect(new LocalPool({}).workers).to.be.at.least(1);
  });
});
