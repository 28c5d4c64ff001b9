// The full execution loop through the API on the Airflow 3 backend (CORNFLOW_BACKEND=3), against the double that
// checks every request against Airflow 3's published OpenAPI spec (test/support/airflow3.ts).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase, type TestUser } from './support/app.js';
import { Airflow3Double } from './support/airflow3.js';
import { dataHashOfText } from '../src/domain/json-hash.js';
import { newExecution, newInstance } from './support/executions.js';

const SOLUTION_TEXT = readFileSync('/work/shared/reference/cornflow-testdata/new_execution_solution.json', 'utf8');

// One double for both database suites; started before any suite reads its url (root-level hook).
const double = new Airflow3Double();
const started = double.start();
before(() => started);
after(() => double.stop());

forEachDatabase(
  'executions (Airflow 3 backend)',
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
      double.requests.length = 0;
      double.health.metadatabase.status = 'healthy';
      double.dags = { solve_model_dag: { is_paused: false, tags: ['model'] } };
    });
    afterEach(() => {
      expect(double.violations, 'requests that do not match Airflow 3\'s spec').to.deep.equal([]);
    });

    it('create → −7 with a run triggered on /api/v2 (logical_date null); worker callbacks; success → solved, data and log', async () => {
      const res = await newExecution(t, planner, instanceId);
      expect(res.status, res.text).to.equal(201);
      expect(res.body.state).to.equal(-7);
      const id = res.body.id as string;
      const trigger = double.requests.find((r) => r.operationId === 'trigger_dag_run');
      expect(trigger?.path).to.equal('/api/v2/dags/solve_model_dag/dagRuns');
      expect(trigger?.body).to.deep.equal({ logical_date: null, conf: { exec_id: id, checks_and_kpis_only: false } });
      const runId = (await t.knex('executions').where({ id }).first()).run_id as string;
      expect(runId).to.match(/^manual__/);
      expect(double.runs[runId]?.conf).to.deep.equal({ exec_id: id, checks_and_kpis_only: false });
      // the worker, as cornflow's worker does it
      const svc = await t.login(service.username, service.password);
      const dag = await t.get(`/dag/${id}/`, { token: svc });
      expect(dag.status, dag.text).to.equal(200);
      expect(dag.body).to.include.keys("data", "config");
      expect((await t.put(`/execution/${id}/status/`, { token: svc, body: { status: 0 } })).status).to.equal(200);
      double.runs[runId]!.state = 'running';
      const list = await t.get('/execution/', { token: planner.token });
      expect(list.body.find((e: { id: string }) => e.id === id).state).to.equal(0);
      const put = await t.raw().put(`/dag/${id}/`).set('Authorization', `Bearer ${svc}`).set('Content-Type', 'application/json')
        .send(`{"state": 1, "log_text": "solved", "log_json": {"status": "Optimal", "status_code": 1, "sol_code": 1}, "solution_schema": "solve_model_dag", "data": ${SOLUTION_TEXT}}`);
      expect(put.status, put.text).to.equal(200);
      double.runs[runId]!.state = 'success';
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body).to.include({ state: 1, data_hash: dataHashOfText(SOLUTION_TEXT) });
      expect(double.requests.some((r) => r.operationId === 'get_dag_run' && r.path.endsWith(encodeURIComponent(runId)))).to.equal(true);
      const data = await t.get(`/execution/${id}/data/`, { token: planner.token });
      expect(data.status, data.text).to.equal(200);
      expect(data.body.data).to.deep.equal(JSON.parse(SOLUTION_TEXT));
      const log = await t.get(`/execution/${id}/log/`, { token: planner.token });
      expect(log.body.log).to.deep.include({ status: 'Optimal' });
      expect(log.body.log_text).to.equal('solved');
      // every call but the health check carried a bearer token from /auth/token
      expect(double.requests.filter((r) => r.operationId !== 'create_token' && r.operationId !== 'get_health' && !r.token)).to.deep.equal([]);
    });

    it('a failed run on Airflow 3 → −1 at the next refresh, then no more polling', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const runId = (await t.knex('executions').where({ id }).first()).run_id as string;
      double.runs[runId]!.state = 'failed';
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body).to.include({ state: -1, message: 'The execution has found an error.' });
      double.requests.length = 0;
      await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(double.requests).to.deep.equal([]);
    });

    it('stop → PATCH the dag run to failed, state −2; relaunch triggers a new run', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const runId = (await t.knex('executions').where({ id }).first()).run_id as string;
      const res = await t.post(`/execution/${id}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(200);
      const patch = double.requests.find((r) => r.operationId === 'patch_dag_run');
      expect(patch?.body).to.deep.equal({ state: 'failed' });
      expect(double.runs[runId]!.state).to.equal('failed');
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(-2);
      const re = await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: { config: { timeLimit: 3 } } });
      expect(re.status, re.text).to.equal(201);
      const row = await t.knex('executions').where({ id }).first();
      expect(row.run_id).to.not.equal(runId);
      expect(row.state).to.equal(-7);
      expect(double.runs[row.run_id]?.conf).to.deep.equal({ exec_id: id, checks_and_kpis_only: false });
    });

    it('Airflow 3 down → 400 "Airflow is not accessible", state −3, no row; a running execution goes to −3', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      double.health.metadatabase.status = 'unhealthy';
      const n = await t.count('executions');
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Airflow is not accessible', message: "The execution couldn't start running.", state: -3 });
      expect(await t.count('executions')).to.equal(n);
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.status).to.equal(400);
      expect(st.body).to.include({ error: 'Airflow is not accessible', state: -3 });
      expect((await t.knex('executions').where({ id }).first()).state).to.equal(-3);
    });

    it('stop or create from a user without the app → 403, nothing triggered', async () => {
      const viewer = await t.user('viewer');
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      double.requests.length = 0;
      const res = await newExecution(t, viewer, instanceId);
      expect(res.status).to.equal(403);
      const stop = await t.post(`/execution/${id}/`, { token: viewer.token });
      expect([403, 404]).to.include(stop.status);
      expect(double.requests.filter((r) => r.operationId === 'trigger_dag_run' || r.operationId === 'patch_dag_run')).to.deep.equal([]);
    });
  },
  () => ({ CORNFLOW_BACKEND: '3', AIRFLOW_URL: double.url, AIRFLOW_USER: 'admin', AIRFLOW_PWD: 'admin' }),
);
