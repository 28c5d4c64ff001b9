// The local backend end to end: POST /execution/ → the local runner (queue → process pool → HiGHS) → the same
// worker functions as PUT /dag/<id>/ → GET status, data, log. Real solves of small models with known optima.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import pino from 'pino';
import { forEachDatabase, type TestApp } from './support/app.js';
import { LocalRuntime } from '../src/local/runtime.js';
import { c, cornflowMip, hard, infeasible, model, v } from './support/models.js';

const testdata = (f: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`/work/shared/reference/cornflow-testdata/${f}`, 'utf8')) as Record<string, unknown>;

async function waitFor(t: TestApp, token: string, id: string, done: (state: number) => boolean, ms = 30_000): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await t.get(`/execution/${id}/status/`, { token });
    expect(res.status).to.equal(200);
    const state = res.body.state as number;
    if (done(state)) return state;
    if (Date.now() > until) throw new Error(`execution ${id} still in state ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

forEachDatabase('local backend', (t) => {
  let runtime: LocalRuntime | undefined;
  let token: string;
  const logger = pino({ level: 'silent' });

  const startRuntime = async () => {
    runtime = new LocalRuntime(t.knex, { local: { workers: 2, runner: true } }, logger, { pollMs: 200 });
    await runtime.start(t.deps.orchestrator);
  };
  before(async () => {
    token = (await t.user('planner')).token;
    await startRuntime();
  });
  after(async () => runtime?.close());

  const newInstance = async (data: unknown, name = 'model') => {
    const res = await t.post('/instance/', { token, body: { name, data, schema: 'solve_model_dag' } });
    expect(res.status).to.equal(201);
    return res.body.id as string;
  };
  const newExecution = async (instanceId: string, config: Record<string, unknown> = {}) => {
    const res = await t.post('/execution/', { token, body: { instance_id: instanceId, name: 'run', config } });
    expect(res.status).to.equal(201);
    expect(res.body.state).to.equal(-7);
    return res.body.id as string;
  };

  it("solves cornflow's test instance (an LP, optimum 54) and writes solution, log and hash as a worker would", async function () {
    this.timeout(60_000);
    const instance = testdata('new_instance.json');
    const id = await newExecution(await newInstance(instance.data), { timeLimit: 10, solver: 'PULP_CBC_CMD', msg: true });
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
    const data = await t.get(`/execution/${id}/data/`, { token });
    expect(data.status).to.equal(200);
    const vars = (data.body.data as { variables: Array<{ name: string; varValue: number | null }> }).variables;
    expect(vars.every((x) => typeof x.varValue === 'number')).to.equal(true);
    const log = await t.get(`/execution/${id}/log/`, { token });
    expect(log.body.log.status).to.equal('Optimal');
    expect(log.body.log.best_solution).to.be.closeTo(54, 1e-6);
    expect(log.body.log_text).to.be.a('string').and.not.equal('');
    const row = await t.knex('executions').first('state_message', 'run_id').where({ id });
    expect(row.state_message).to.equal('The execution has been solved correctly.');
    expect(String(row.run_id)).to.match(/^local:/);
  });

  it("solves cornflow's MIP to its known optimum (64)", async function () {
    this.timeout(60_000);
    const id = await newExecution(await newInstance(cornflowMip()), { timeLimit: 10 });
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
    const log = await t.get(`/execution/${id}/log/`, { token });
    expect(log.body.log.best_solution).to.be.closeTo(64, 1e-6);
    const data = await t.get(`/execution/${id}/data/`, { token });
    const z = (data.body.data as { variables: Array<{ name: string; varValue: number }> }).variables.find((x) => x.name === 'z');
    expect(z?.varValue).to.equal(7);
  });

  it('reports an infeasible model in the log and stores no solution (state 1, as cornflow)', async function () {
    this.timeout(60_000);
    const id = await newExecution(await newInstance(infeasible()), { timeLimit: 10 });
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
    const log = await t.get(`/execution/${id}/log/`, { token });
    expect(log.body.log.status).to.equal('Infeasible');
    const data = await t.get(`/execution/${id}/data/`, { token });
    expect(data.body.data).to.equal(null);
  });

  it('reports an unbounded model in the log (status_code −2) and stores no solution', async function () {
    this.timeout(60_000);
    // maximise y with x + y ≥ 0, x ≤ 0, y ≥ 0: unbounded.
    const unbounded = model({ y: 1 }, [c('a', 1, 0, { x: 1, y: 1 })], [v('x', null, 0), v('y', 0, null)], -1);
    const id = await newExecution(await newInstance(unbounded), { timeLimit: 10 });
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
    const log = await t.get(`/execution/${id}/log/`, { token });
    expect(log.body.log.status_code).to.equal(-2);
    expect((await t.get(`/execution/${id}/data/`, { token })).body.data).to.equal(null);
  });

  it('stops a hard model at the config timeLimit and says so in the log', async function () {
    this.timeout(60_000);
    const id = await newExecution(await newInstance(hard(), 'hard'), { timeLimit: 1 });
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
    const log = await t.get(`/execution/${id}/log/`, { token });
    expect(String(log.body.log.status)).to.match(/^Time limit/);
    expect(log.body.log.status_code).to.equal(5);
  });

  it('stops a running solve: state −2 and the solver process is killed', async function () {
    this.timeout(60_000);
    const id = await newExecution(await newInstance(hard(), 'hard'), { timeLimit: 600 });
    await waitFor(t, token, id, (s) => s === 0);
    const stop = await t.post(`/execution/${id}/`, { token });
    expect(stop.status).to.equal(200);
    const until = Date.now() + 10_000;
    while (runtime!.pool.stats.running > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(runtime!.pool.stats.running).to.equal(0);
    const row = await t.knex('executions').first('state').where({ id });
    expect(row.state).to.equal(-2);
  });

  it('relaunches a solved execution and solves it again', async function () {
    this.timeout(60_000);
    const id = await newExecution(await newInstance(cornflowMip()), { timeLimit: 10 });
    await waitFor(t, token, id, (s) => s === 1);
    const res = await t.post(`/execution/${id}/relaunch/`, { token, body: { config: { timeLimit: 5 } } });
    expect(res.status).to.equal(201);
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
  });

  it('resumes executions queued while no runner was running', async function () {
    this.timeout(60_000);
    await runtime!.close();
    const id = await newExecution(await newInstance(cornflowMip()), { timeLimit: 10 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.knex('executions').first('state').where({ id })).state).to.equal(-7);
    await startRuntime();
    expect(await waitFor(t, token, id, (s) => s !== -7 && s !== 0)).to.equal(1);
  });

  it('marks an execution left running by a dead server process as failed at start', async function () {
    this.timeout(30_000);
    const id = await newExecution(await newInstance(cornflowMip()), { timeLimit: 10 });
    await waitFor(t, token, id, (s) => s === 1);
    const { hostname } = await import('node:os');
    await t.knex('executions').where({ id }).update({ state: 0, run_id: `local:${hostname()}/999999999/dead00` });
    await runtime!.close();
    await startRuntime();
    const row = await t.knex('executions').first('state', 'log_text').where({ id });
    expect(row.state).to.equal(-1);
    expect(String(row.log_text)).to.match(/pid 999999999/);
  });
});
