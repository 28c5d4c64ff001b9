// Airflow 3 client against a loopback double that checks every request against our schemas of Airflow 3's
// documented REST API (test/support/airflow3.ts).
import { expect } from 'chai';
import { Airflow3Orchestrator } from '../src/orchestration/airflow3.js';
import { OrchestratorError } from '../src/orchestration/types.js';
import { CommunicationError } from '../src/domain/errors.js';
import { Airflow3Double } from './support/airflow3.js';

describe('Airflow 3 client', function () {
  this.timeout(20000);
  let af: Airflow3Double;
  let client: Airflow3Orchestrator;

  beforeEach(async () => {
    af = new Airflow3Double();
    await af.start();
    af.dags = {
      solve_model_dag: { is_paused: false, tags: ['model'], description: 'Solve a PuLP model' },
      solve_model_dag_check_kpis: { is_paused: false, tags: ['check_kpis'] },
      paused_dag: { is_paused: true, tags: ['model'] },
      update_all_schemas: { is_paused: false, tags: ['internal'] },
    };
    const schemas = { instance: { type: 'object' }, solution: {}, config: {}, instance_checks: {}, solution_checks: {}, kpis: {} };
    af.variables = {
      solve_model_dag: JSON.stringify(schemas),
      paused_dag: JSON.stringify(schemas),
      z_solve_model_dag_examples: JSON.stringify([{ name: 'ex', description: 'd', instance: { a: 1 } }]),
    };
    client = new Airflow3Orchestrator({ url: `${af.url}/`, user: 'admin', password: 'admin', timeoutMs: 1000 });
  });
  afterEach(async () => {
    expect(af.violations, af.violations.join('\n')).to.deep.equal([]);
    await af.stop();
  });

  it('checks health without a token', async () => {
    expect(await client.healthy()).to.equal(true);
    af.health.scheduler.status = 'unhealthy';
    expect(await client.healthy()).to.equal(false);
    expect(af.tokensIssued).to.equal(0);
    expect(await new Airflow3Orchestrator({ url: 'http://127.0.0.1:1', user: 'a', password: 'b', timeoutMs: 500 }).healthy()).to.equal(false);
  });

  it('triggers a run with logical_date null and cornflow conf, follows its state and stops it', async () => {
    expect(await client.appInfo('solve_model_dag', false)).to.deep.equal({ exists: true, paused: false });
    expect(await client.appInfo('paused_dag', false)).to.deep.equal({ exists: true, paused: true });
    expect(await client.appInfo('nope', false)).to.deep.equal({ exists: false, paused: false });
    const { runId } = await client.trigger({ executionId: 'exec1', app: 'solve_model_dag', checksOnly: false });
    const trig = af.requests.find((r) => r.operationId === 'trigger_dag_run')!;
    expect(trig.path).to.equal('/api/v2/dags/solve_model_dag/dagRuns');
    expect(trig.body).to.deep.equal({ logical_date: null, conf: { exec_id: 'exec1', checks_and_kpis_only: false } });
    const ref = { app: 'solve_model_dag', runId, checksOnly: false };
    expect(await client.runState(ref)).to.equal(-7);
    for (const [state, code] of [['running', 0], ['success', 1], ['failed', -1], ['queued', -7], ['up_for_retry', -5]] as const) {
      af.runs[runId]!.state = state;
      expect(await client.runState(ref)).to.equal(code);
    }
    af.runs[runId]!.state = 'running';
    await client.stop(ref);
    expect(af.runs[runId]!.state).to.equal('failed');
    expect(af.tokensIssued).to.equal(1); // one token for all calls
  });

  it('uses the _check_kpis DAG for checks-only runs and passes case_id', async () => {
    const { runId } = await client.trigger({ executionId: 'e2', app: 'solve_model_dag', checksOnly: true, caseId: 7 });
    expect(af.runs[runId]).to.deep.include({ dag_id: 'solve_model_dag_check_kpis', conf: { exec_id: 'e2', checks_and_kpis_only: true, case_id: 7 } });
    expect(await client.runState({ app: 'solve_model_dag', runId, checksOnly: true })).to.equal(-7);
  });

  it('passes Airflow errors through with their status (unknown DAG on trigger, unknown run)', async () => {
    const e1 = await client.trigger({ executionId: 'x', app: 'ghost', checksOnly: false }).catch((e: unknown) => e);
    expect(e1).to.be.instanceOf(OrchestratorError);
    expect((e1 as OrchestratorError).status).to.equal(404);
    expect((e1 as OrchestratorError).message).to.contain('ghost');
    const e2 = await client.runState({ app: 'solve_model_dag', runId: 'nope', checksOnly: false }).catch((e: unknown) => e);
    expect((e2 as OrchestratorError).status).to.equal(404);
  });

  it('refuses bad credentials with Airflow status 401', async () => {
    const bad = new Airflow3Orchestrator({ url: af.url, user: 'admin', password: 'wrong' });
    const e = await bad.appInfo('solve_model_dag', false).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(OrchestratorError);
    expect((e as OrchestratorError).status).to.equal(401);
  });

  it('refreshes the token before it expires and after a 401', async () => {
    af.tokenLifetime = 20; // below the 30 s margin: every call fetches a new one
    await client.appInfo('solve_model_dag', false);
    await client.appInfo('solve_model_dag', false);
    expect(af.tokensIssued).to.equal(2);
    af.tokenLifetime = 3600;
    await client.appInfo('solve_model_dag', false);
    expect(af.tokensIssued).to.equal(3);
    await client.appInfo('solve_model_dag', false);
    expect(af.tokensIssued).to.equal(3);
    af.revokedBefore = Date.now(); // the server no longer accepts the cached token
    await new Promise((r) => setTimeout(r, 1100)); // (iat has a 1 s resolution)
    expect(await client.appInfo('solve_model_dag', false)).to.deep.equal({ exists: true, paused: false });
    expect(af.tokensIssued).to.equal(4);
  });

  it('lists model DAGs page by page with their schemas, and reads examples', async () => {
    for (let i = 0; i < 120; i++) {
      af.dags[`m${i}`] = { is_paused: false, tags: ['model'] };
      af.variables[`m${i}`] = JSON.stringify({ instance: { i }, solution: {}, config: {}, instance_checks: {}, solution_checks: {} });
    }
    const apps = await client.listApps();
    expect(apps.map((a) => a.id)).to.include.members(['solve_model_dag', 'paused_dag', 'm0', 'm119']);
    expect(apps).to.have.length(122);
    expect(apps.find((a) => a.id === 'solve_model_dag')).to.deep.include({ description: 'Solve a PuLP model' });
    expect(apps.find((a) => a.id === 'm5')!.schemas.instance).to.deep.equal({ i: 5 });
    expect(await client.examples('solve_model_dag')).to.deep.equal([{ name: 'ex', description: 'd', instance: { a: 1 } }]);
    const e = await client.examples('other').catch((x: unknown) => x);
    expect((e as OrchestratorError).status).to.equal(404);
  });

  it('the double flags requests that break the documented API (and answers 422 or 404)', async () => {
    const token = await client.accessToken();
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const statuses = [
      (await fetch(`${af.url}/api/v2/nothing`, { headers: h })).status,
      (await fetch(`${af.url}/api/v2/dags?limit=ten`, { headers: h })).status,
      (await fetch(`${af.url}/api/v2/dags?bogus=1`, { headers: h })).status,
      (await fetch(`${af.url}/api/v2/dags/solve_model_dag/dagRuns`, { method: 'POST', headers: h, body: JSON.stringify({ conf: {} }) })).status,
      (await fetch(`${af.url}/api/v2/dags/solve_model_dag/dagRuns`, { method: 'POST', headers: h, body: JSON.stringify({ logical_date: null, execution_date: null }) })).status,
      (await fetch(`${af.url}/api/v2/dags/solve_model_dag/dagRuns/r`, { method: 'PATCH', headers: h, body: JSON.stringify({ state: 'running' }) })).status,
      (await fetch(`${af.url}/api/v2/dags/solve_model_dag`, { headers: { authorization: h.authorization } })).status, // a good one
      (await fetch(`${af.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'admin:admin' })).status,
    ];
    expect(statuses).to.deep.equal([404, 422, 422, 422, 422, 422, 200, 422]);
    expect(af.violations).to.have.length(7);
    expect(af.violations.join('\n')).to.match(/not an operation/).and.match(/limit/).and.match(/bogus/).and.match(/logical_date/)
      .and.match(/execution_date/).and.match(/state/).and.match(/content-type text\/plain/);
    af.violations.length = 0;
  });

  it('gives up after its timeout with a CommunicationError', async () => {
    await client.accessToken();
    af.delayMs = 3000;
    const started = Date.now();
    const e = await client.runState({ app: 'solve_model_dag', runId: 'r', checksOnly: false }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CommunicationError);
    expect(Date.now() - started).to.be.below(2500);
    af.delayMs = 0;
  });
});
