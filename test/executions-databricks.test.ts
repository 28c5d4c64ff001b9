// The full execution loop through the API on the Databricks backend (CORNFLOW_BACKEND=2 with DATABRICKS_*), against
// the double that checks every request against the documented Jobs API shapes (test/support/databricks.ts).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase, type TestUser } from './support/app.js';
import { DatabricksDouble } from './support/databricks.js';
import { dataHashOfText } from '../src/domain/json-hash.js';
import { newExecution } from './support/executions.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const SOLUTION_TEXT = readFileSync(`${TESTDATA}/new_execution_solution.json`, 'utf8');
const NEW_INSTANCE = JSON.parse(readFileSync(`${TESTDATA}/new_instance.json`, 'utf8')) as Record<string, unknown>;
const JOB = '979073949072767';

const double = new DatabricksDouble();
const started = double.start();
before(() => started);
after(() => double.stop());

forEachDatabase(
  'executions (Databricks backend)',
  (t) => {
    let planner: TestUser;
    let service: TestUser;
    let instanceId: string;
    before(async () => {
      planner = await t.user('planner');
      service = await t.user('service');
      // Databricks apps are job ids, registered by POSTing deployed_workflows (cornflow syncs nothing from Databricks)
      const s = (await t.get('/schema/solve_model_dag/', { token: planner.token })).body;
      const reg = await t.post('/dag/deployed/', {
        token: service.token,
        body: { id: JOB, description: 'solve_model_dag on Databricks', instance_schema: s.instance, solution_schema: s.solution, config_schema: s.config, instance_checks_schema: s.instance_checks ?? {}, solution_checks_schema: s.solution_checks ?? {}, kpis_schema: {} },
      });
      expect(reg.status, reg.text).to.equal(201);
      const inst = await t.post('/instance/', { token: planner.token, body: { ...NEW_INSTANCE, schema: JOB } });
      expect(inst.status, inst.text).to.equal(201);
      instanceId = inst.body.id as string;
    });
    beforeEach(() => {
      double.calls.length = 0;
      double.workspacePaths = new Set(['/health']);
    });
    afterEach(() => {
      expect(double.violations, 'requests that do not match the Jobs API').to.deep.equal([]);
    });

    it('create (schema defaults to cornflow\'s job) → −7 with run-now; worker callbacks; SUCCESS → solved, data and log', async () => {
      const res = await newExecution(t, planner, instanceId);
      expect(res.status, res.text).to.equal(201);
      expect(res.body).to.include({ state: -7, schema: JOB });
      const id = res.body.id as string;
      expect(double.calls.map((c) => c.op)).to.deep.equal(['token', 'getStatus', 'jobsGet', 'jobsGet', 'runNow']);
      expect(double.calls.at(-1)!.body).to.deep.equal({ job_id: Number(JOB), job_parameters: { checks_and_kpis_only: 'false', execution_id: id } });
      const runId = Number((await t.knex('executions').where({ id }).first()).run_id);
      expect(double.runs.get(runId)?.status.state).to.equal('QUEUED');
      // the worker (the job), as cornflow's worker does it
      const svc = await t.login(service.username, service.password);
      const dag = await t.get(`/dag/${id}/`, { token: svc });
      expect(dag.status, dag.text).to.equal(200);
      expect(dag.body).to.include.keys('data', 'config');
      expect((await t.put(`/execution/${id}/status/`, { token: svc, body: { status: 0 } })).status).to.equal(200);
      double.runs.get(runId)!.status = { state: 'RUNNING' };
      const list = await t.get('/execution/', { token: planner.token });
      expect(list.body.find((e: { id: string }) => e.id === id).state).to.equal(0);
      const put = await t.raw().put(`/dag/${id}/`).set('Authorization', `Bearer ${svc}`).set('Content-Type', 'application/json')
        .send(`{"state": 1, "log_text": "solved", "log_json": {"status": "Optimal"}, "solution_schema": "${JOB}", "data": ${SOLUTION_TEXT}}`);
      expect(put.status, put.text).to.equal(200);
      double.runs.get(runId)!.status = { state: 'TERMINATED', termination_details: { code: 'SUCCESS' } };
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body).to.include({ state: 1, data_hash: dataHashOfText(SOLUTION_TEXT) });
      const data = await t.get(`/execution/${id}/data/`, { token: planner.token });
      expect(data.body.data).to.deep.equal(JSON.parse(SOLUTION_TEXT));
      const log = await t.get(`/execution/${id}/log/`, { token: planner.token });
      expect(log.body.log_text).to.equal('solved');
      // one OAuth token for the whole loop (cornflow fetches one per call)
      expect(double.calls.filter((c) => c.op === 'token').length).to.be.at.most(1);
    });

    it('refresh maps Databricks states: a run terminated with an error → −1', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const runId = Number((await t.knex('executions').where({ id }).first()).run_id);
      double.runs.get(runId)!.status = { state: 'TERMINATED', termination_details: { code: 'RUN_EXECUTION_ERROR' } };
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body).to.include({ state: -1, message: 'The execution has found an error.' });
    });

    it('stop → runs/cancel and −2 (cornflow: 501); relaunch runs the job again', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const runId = Number((await t.knex('executions').where({ id }).first()).run_id);
      const res = await t.post(`/execution/${id}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(200);
      expect(double.calls.find((c) => c.op === 'runsCancel')?.body).to.deep.equal({ run_id: runId });
      expect(double.runs.get(runId)!.status.termination_details?.code).to.equal('USER_CANCELED');
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(-2);
      const re = await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: { config: { timeLimit: 3 } } });
      expect(re.status, re.text).to.equal(201);
      const row = await t.knex('executions').where({ id }).first();
      expect(Number(row.run_id)).to.not.equal(runId);
      expect(row.state).to.equal(-7);
      expect(double.runs.get(Number(row.run_id))?.params).to.deep.equal({ checks_and_kpis_only: 'false', execution_id: id });
    });

    it('a viewer cannot stop (403) and nothing is cancelled', async () => {
      const viewer = await t.user('viewer');
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      double.calls.length = 0;
      const stop = await t.post(`/execution/${id}/`, { token: viewer.token });
      expect(stop.status).to.equal(403);
      expect(double.calls.filter((c) => c.op === 'runsCancel')).to.deep.equal([]);
    });

    it('Databricks down → 400 "Databricks is not accessible", state −3, no row; a queued execution goes to −3', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      double.workspacePaths.clear();
      const n = await t.count('executions');
      const res = await newExecution(t, planner, instanceId);
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Databricks is not accessible', message: "The execution couldn't start running.", state: -3 });
      expect(await t.count('executions')).to.equal(n);
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.status).to.equal(400);
      expect(st.body).to.include({ error: 'Databricks is not accessible', state: -3 });
      expect((await t.knex('executions').where({ id }).first()).state).to.equal(-3);
    });
  },
  () => ({
    CORNFLOW_BACKEND: '2', DATABRICKS_HOST: double.url, DATABRICKS_CLIENT_ID: double.clientId, DATABRICKS_CLIENT_SECRET: double.clientSecret,
    DATABRICKS_TOKEN_ENDPOINT: '/oidc/v1/token', DATABRICKS_HEALTH_PATH: '/health',
  }),
);
