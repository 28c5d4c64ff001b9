import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase, type TestUser } from './support/app.js';
import { AirflowDouble } from './support/airflow.js';
import { AirflowOrchestrator, mapAirflowState } from '../src/orchestration/airflow.js';
import { CommunicationError } from '../src/domain/errors.js';
import { dataHashOfText } from '../src/domain/json-hash.js';
import { syncAppsAndPermissions } from '../src/domain/app-sync.js';
import { insertCase, newExecution, newInstance } from './support/executions.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const SOLUTION_TEXT = readFileSync(`${TESTDATA}/new_execution_solution.json`, 'utf8');

// One double for both database suites; its port is bound before any suite reads the url (root-level hook).
const double = new AirflowDouble().listen();
before(() => double.ready());

describe('AirflowOrchestrator (unit)', () => {
  it('maps Airflow run states as cornflow', () => {
    expect(['success', 'running', 'failed', 'queued', 'up_for_retry', null].map(mapAirflowState)).to.deep.equal([1, 0, -1, -7, -5, -5]);
  });
  it('a refused connection: unhealthy, and calls throw CommunicationError with a clear message', async () => {
    const dead = new AirflowOrchestrator('http://127.0.0.1:1', 'admin', 'admin', 2000);
    expect(await dead.healthy()).to.equal(false);
    try {
      await dead.trigger({ executionId: 'x', app: 'solve_model_dag', checksOnly: false });
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(CommunicationError);
      expect((err as Error).message).to.match(/^Airflow is not reachable/);
    }
  });
  it('a silent Airflow times out instead of hanging', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const slow = new AirflowOrchestrator(`http://127.0.0.1:${port}`, 'admin', 'admin', 300);
    const started = Date.now();
    try {
      await slow.appInfo('solve_model_dag', false);
      expect.fail('no error');
    } catch (err) {
      expect((err as Error).message).to.include('no answer within 300 ms');
    }
    expect(Date.now() - started).to.be.lessThan(3000);
    silent.closeAllConnections();
    silent.close();
  });
});

describe('Airflow 2 double (self-check)', () => {
  it('flags requests that break Airflow\'s spec: wrong auth, unknown path, bad body, unknown query parameter', async () => {
    const d = new AirflowDouble().listen();
    await d.ready();
    d.addDag('x');
    const auth = { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`, 'content-type': 'application/json' };
    await fetch(`${d.url}/api/v1/health`, { headers: { authorization: 'Basic bm9wZTpub3Bl' } });
    await fetch(`${d.url}/api/v1/nothing`, { headers: auth });
    await fetch(`${d.url}/api/v1/dags/x/dagRuns`, { method: 'POST', headers: auth, body: JSON.stringify({ conf: 'not an object' }) });
    await fetch(`${d.url}/api/v1/dags/x?bogus=1`, { headers: auth });
    await fetch(`${d.url}/api/v1/dags/x/dagRuns`, { method: 'POST', headers: auth, body: JSON.stringify({ dag_id: 'x', conf: {} }) });
    expect(d.violations).to.have.length(5);
    expect(d.violations[0]).to.include('basic auth');
    expect((await fetch(`${d.url}/api/v1/dags/x`, { headers: auth })).status).to.equal(200);
    expect(d.violations).to.have.length(5);
    await d.close();
  });
});

forEachDatabase(
  'executions (Airflow 2 backend)',
  (t) => {
    let planner: TestUser;
    let service: TestUser;
    let instanceId: string;
    before(async () => {
      planner = await t.user('planner');
      service = await t.user('service');
      instanceId = await newInstance(t, planner);
    });
    beforeEach(() => {
      double.reset();
      double.dags.clear();
      double.addDag('solve_model_dag', { tags: ['model'] });
    });
    afterEach(() => {
      expect(double.violations, 'requests that do not match Airflow\'s spec').to.deep.equal([]);
    });

    it('create → −7 with the run triggered with cornflow\'s conf; worker → solved; health reports Airflow', async () => {
      const res = await newExecution(t, planner, instanceId);
      expect(res.status, res.text).to.equal(201);
      expect(res.body.state).to.equal(-7);
      const id = res.body.id as string;
      const trigger = double.requests.find((r) => r.method === 'POST' && r.path === '/dags/solve_model_dag/dagRuns');
      expect(trigger?.body).to.deep.equal({ conf: { exec_id: id, checks_and_kpis_only: false } });
      expect(double.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['GET /health', 'GET /dags/solve_model_dag', 'GET /dags/solve_model_dag', 'POST /dags/solve_model_dag/dagRuns']);
      const row = await t.knex('executions').where({ id }).first();
      expect(row.run_id).to.match(/^manual__/);
      // worker
      const svc = await t.login(service.username, service.password);
      expect((await t.get(`/dag/${id}/`, { token: svc })).status).to.equal(200);
      expect((await t.put(`/execution/${id}/status/`, { token: svc, body: { status: 0 }, headers: { 'Content-Encoding': 'br' } })).status).to.equal(200);
      const put = await t.raw().put(`/dag/${id}/`).set('Authorization', `Bearer ${svc}`).set('Content-Encoding', 'br').set('Content-Type', 'application/json')
        .send(`{"state": 1, "log_text": "ok", "log_json": {"status": "Optimal"}, "solution_schema": "solve_model_dag", "data": ${SOLUTION_TEXT}}`);
      expect(put.status, put.text).to.equal(200);
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body.state).to.equal(1);
      expect(st.body.data_hash).to.equal(dataHashOfText(SOLUTION_TEXT));
      const health = await t.get('/health/');
      expect(health.body.airflow_status ?? health.body.backend_status).to.equal('healthy');
    });

    it('list and status refresh active executions from the double', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const runId = (await t.knex('executions').where({ id }).first()).run_id as string;
      double.setRunState(runId, 'running');
      const list = await t.get('/execution/', { token: planner.token });
      expect(list.body.find((e: { id: string }) => e.id === id).state).to.equal(0);
      double.setRunState(runId, 'failed');
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body).to.include({ state: -1, message: 'The execution has found an error.' });
      // finished: no more polling
      double.requests.length = 0;
      await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(double.requests).to.deep.equal([]);
    });

    it('a poll error sets −5 with Airflow\'s text', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      double.failures.push({ method: 'GET', pathPrefix: '/dags/solve_model_dag/dagRuns/', status: 500, detail: 'db is gone' });
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.status).to.equal(400);
      expect(st.body.state).to.equal(-5);
      expect(st.body.message).to.equal('The execution has an unknown error.');
      expect(st.body.error).to.match(/^Airflow responded with an error: .*db is gone/);
    });

    it('stop sets the task instances to failed (cornflow\'s body) and the state to −2; relaunch triggers a new run', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const res = await t.post(`/execution/${id}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(200);
      const stop = double.stopped.at(-1)!;
      expect(stop).to.include({ dag_id: 'solve_model_dag', task_id: 'solve_model_dag', new_state: 'failed', dry_run: false, include_upstream: true, include_downstream: true, include_future: false, include_past: false });
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(-2);
      const before = (await t.knex('executions').where({ id }).first()).run_id as string;
      const re = await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: { config: { timeLimit: 3 } } });
      expect(re.status, re.text).to.equal(201);
      const row = await t.knex('executions').where({ id }).first();
      expect(row.run_id).to.not.equal(before);
      expect(row.state).to.equal(-7);
    });

    it('Airflow down → 400 "Airflow is not accessible", state −3, and no row left', async () => {
      double.healthy = false;
      const n = await t.count('executions');
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Airflow is not accessible', message: "The execution couldn't start running.", state: -3 });
      expect(await t.count('executions')).to.equal(n);
      const health = await t.get('/health/');
      expect(health.status).to.equal(200);
    });

    it('paused DAG → 400 with cornflow\'s text, no row', async () => {
      double.addDag('solve_model_dag', { tags: ['model'], is_paused: true });
      const n = await t.count('executions');
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The dag exists but it is paused in airflow', message: "The execution couldn't start running.", state: -3 });
      expect(await t.count('executions')).to.equal(n);
    });

    it('DAG missing in Airflow → Airflow\'s 404 and text passed through, no row', async () => {
      double.dags.clear();
      const n = await t.count('executions');
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(404);
      expect(res.body.error).to.include("DAG with dag_id: 'solve_model_dag' not found");
      expect(await t.count('executions')).to.equal(n);
    });

    it('trigger error → 400 "Airflow responded with an error", state −1, no row', async () => {
      double.failures.push({ method: 'POST', pathPrefix: '/dags/solve_model_dag/dagRuns', status: 409, detail: 'already exists' });
      const n = await t.count('executions');
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(400);
      expect(res.body.state).to.equal(-1);
      expect(res.body.message).to.equal('The execution has found an error.');
      expect(res.body.error).to.match(/^Airflow responded with an error: .*already exists/);
      expect(await t.count('executions')).to.equal(n);
    });

    it('an Airflow 500 on DAG info is passed through with its status', async () => {
      double.failures.push({ method: 'GET', pathPrefix: '/dags/solve_model_dag', status: 500, detail: 'boom' });
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(500);
      expect(res.body.error).to.include('boom');
    });

    it('data checks trigger <app>_check_kpis with checks_and_kpis_only (and case_id); paused → −3', async () => {
      double.addDag('solve_model_dag_check_kpis');
      const caseId = await insertCase(t, planner);
      const res = await t.post(`/data-check-kpis/case/${caseId}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.state).to.equal(-7);
      const trigger = double.requests.find((r) => r.method === 'POST' && r.path === '/dags/solve_model_dag_check_kpis/dagRuns');
      expect(trigger?.body).to.deep.equal({ conf: { exec_id: res.body.id, checks_and_kpis_only: true, case_id: caseId } });
      const runId = (await t.knex('executions').where({ id: res.body.id }).first()).run_id as string;
      double.setRunState(runId, 'success');
      expect((await t.get(`/execution/${res.body.id}/status/`, { token: planner.token })).body.state).to.equal(1);
      double.addDag('solve_model_dag_check_kpis', { is_paused: true });
      const paused = await t.post(`/data-check/instance/${instanceId}/`, { token: planner.token });
      expect(paused.status).to.equal(400);
      expect(paused.body).to.deep.equal({ error: 'The dag exists but it is paused in airflow', message: "The execution couldn't start running.", state: -3 });
      double.healthy = false;
      const down = await t.post(`/data-check/execution/${res.body.id}/`, { token: planner.token });
      expect(down.status).to.equal(400);
      expect(down.body.error).to.equal('Airflow is not reachable');
    });

    it('the app sync (start-up, `cornflow dags register`) inserts new model DAGs and grants them', async () => {
      double.addDag('synced_app', { tags: ['model'], description: 'Synced' });
      double.addDag('no_variable_yet', { tags: ['model'] });
      double.variables.set('synced_app', JSON.stringify({ instance: { type: 'object' }, solution: {}, config: {}, instance_checks: {}, solution_checks: {}, kpis: {} }));
      double.variables.set('solve_model_dag', JSON.stringify({ instance: {}, solution: {}, config: {}, instance_checks: {}, solution_checks: {} }));
      expect(await syncAppsAndPermissions(t.knex, t.deps.orchestrator, true)).to.deep.equal(['synced_app']);
      const schema = await t.get('/schema/synced_app/', { token: planner.token });
      expect(schema.status, schema.text).to.equal(200);
      expect(schema.body.instance).to.deep.equal({ type: 'object' });
      expect(await syncAppsAndPermissions(t.knex, t.deps.orchestrator, true)).to.deep.equal([]);
    });

    it('examples come from the Airflow variable z_<app>_examples', async () => {
      const orch = t.deps.orchestrator;
      double.variables.set('z_solve_model_dag_examples', JSON.stringify([{ name: 'ex1', description: 'd', instance: { a: 1 } }]));
      expect(await orch.examples('solve_model_dag')).to.deep.equal([{ name: 'ex1', description: 'd', instance: { a: 1 } }]);
    });

    it('GET /example/<app>/ reads the Airflow variable; Airflow down → 400 "Airflow is not reachable"', async () => {
      double.variables.set('z_solve_model_dag_examples', JSON.stringify([{ name: 'ex1', description: 'd', instance: { a: 1 } }]));
      const res = await t.get('/example/solve_model_dag/', { token: planner.token });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.map((e: { name: string }) => e.name)).to.deep.equal(['ex1']);
      double.healthy = false;
      const down = await t.get('/example/solve_model_dag/', { token: planner.token });
      expect(down.status).to.equal(400);
      expect(down.body.error).to.equal('Airflow is not reachable');
    });

    it('listApps reads the model DAGs and their schema variables', async () => {
      double.addDag('other_dag', { tags: ['other'] });
      double.variables.set('solve_model_dag', JSON.stringify({ instance: { type: 'object' }, solution: {}, config: {}, instance_checks: {}, solution_checks: {} }));
      const apps = await t.deps.orchestrator.listApps();
      expect(apps.map((a) => a.id)).to.deep.equal(['solve_model_dag']);
      expect(apps[0]!.schemas.instance).to.deep.equal({ type: 'object' });
    });
  },
  () => ({ CORNFLOW_BACKEND: 'airflow', AIRFLOW_URL: double.url, AIRFLOW_USER: 'admin', AIRFLOW_PWD: 'admin' }),
);
