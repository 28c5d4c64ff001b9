import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase, type TestUser } from './support/app.js';
import { dataHashOfText } from '../src/domain/json-hash.js';
import { insertCase, newExecution, newInstance } from './support/executions.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const NEW_INSTANCE = JSON.parse(readFileSync(`${TESTDATA}/new_instance.json`, 'utf8')) as Record<string, unknown>;
const SOLUTION_TEXT = readFileSync(`${TESTDATA}/new_execution_solution.json`, 'utf8');
const SOLUTION = JSON.parse(SOLUTION_TEXT) as Record<string, unknown>;
const BASIC_KEYS = ['id', 'name', 'description', 'created_at', 'user_id', 'data_hash', 'schema', 'config', 'instance_id', 'state', 'message'];
const DETAIL_KEYS = [...BASIC_KEYS, 'indicators', 'updated_at', 'username', 'first_name', 'last_name'];

forEachDatabase('executions', (t) => {
  let planner: TestUser;
  let other: TestUser;
  let viewer: TestUser;
  let admin: TestUser;
  let service: TestUser;
  let instanceId: string;
  before(async () => {
    planner = await t.user('planner');
    other = await t.user('planner');
    viewer = await t.user('viewer');
    admin = await t.user('admin');
    service = await t.user('service');
    instanceId = await newInstance(t, planner);
  });

  describe('createExecution', () => {
    it('queues the execution with config defaults filled (local backend)', async () => {
      const res = await newExecution(t, planner, instanceId);
      expect(res.status, res.text).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(BASIC_KEYS);
      expect(res.body.id).to.match(/^[0-9a-f]{40}$/);
      expect(res.body.state).to.equal(-7);
      expect(res.body.message).to.equal('The execution is currently queued.');
      expect(res.body.config).to.deep.equal({ timeLimit: 10, solver: 'PULP_CBC_CMD' });
      expect(res.body.data_hash).to.equal(dataHashOfText('null'));
      const row = await t.knex('executions').where({ id: res.body.id }).first();
      expect(row.run_id).to.be.a('string');
    });

    it('run=0 stores state −4 without validation', async () => {
      const res = await newExecution(t, planner, instanceId, { config: { timeLimit: 'x' } }, { run: '0' });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.state).to.equal(-4);
      expect(res.body.message).to.equal("The execution wasn't run by user choice.");
    });

    it('an invalid config is 400 with jsonschema_errors and leaves no row', async () => {
      const before = await t.count('executions');
      const res = await newExecution(t, planner, instanceId, { config: { timeLimit: 'ten' } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('The data sent is not valid');
      expect(res.body.jsonschema_errors).to.be.an('array').with.length.greaterThan(0);
      expect(await t.count('executions')).to.equal(before);
    });

    it('an invalid initial solution is 400 and leaves no row', async () => {
      const before = await t.count('executions');
      const res = await newExecution(t, planner, instanceId, { data: { objective: 3 } });
      expect(res.status).to.equal(400);
      expect(res.body.jsonschema_errors).to.be.an('array');
      expect(await t.count('executions')).to.equal(before);
    });

    it('a missing instance is 404; someone else\'s instance is 403 (even for admins)', async () => {
      expect((await newExecution(t, planner, 'nope')).status).to.equal(404);
      expect((await newExecution(t, other, instanceId)).status).to.equal(403);
      expect((await newExecution(t, admin, instanceId)).status).to.equal(403);
    });

    it('schema mismatch is 400', async () => {
      const res = await newExecution(t, planner, instanceId, { schema: 'other_dag' });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('Instance and execution schema mismatch');
    });

    it('bad input and auth: missing fields 400, no token 400, viewer 403, nothing stored', async () => {
      const before = await t.count('executions');
      expect((await t.post('/execution/', { token: planner.token, body: { name: 'x' } })).status).to.equal(400);
      expect((await t.post('/execution/', { body: { name: 'x', config: {}, instance_id: instanceId } })).status).to.equal(400);
      expect((await t.post('/execution/', { token: 'bad', body: { name: 'x', config: {}, instance_id: instanceId } })).status).to.equal(400);
      expect((await t.post('/execution/', { token: viewer.token, body: { name: 'x', config: {}, instance_id: instanceId } })).status).to.equal(403);
      expect(await t.count('executions')).to.equal(before);
    });
  });

  describe('worker flow (service user) → solved', () => {
    it('GET /dag/, PUT status 0, PUT /dag/ with the solution → state 1 with the solution hash', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const svc = await t.login(service.username, service.password);
      const data = await t.get(`/dag/${id}/`, { token: svc });
      expect(data.status, data.text).to.equal(200);
      expect(data.body.id).to.equal(instanceId);
      expect(data.body.data).to.deep.equal(NEW_INSTANCE.data);
      expect(data.body.solution_data).to.equal(null);
      expect(data.body.config).to.deep.equal({ timeLimit: 10, solver: 'PULP_CBC_CMD' });
      const st = await t.put(`/execution/${id}/status/`, { token: svc, body: { status: 0 }, headers: { 'Content-Encoding': 'br' } });
      expect(st.status, st.text).to.equal(200);
      expect(st.body.message).to.equal(`execution ${id} updated correctly`);
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(0);
      const res = await t.raw()
        .put(`/dag/${id}/`)
        .set('Authorization', `Bearer ${svc}`)
        .set('Content-Encoding', 'br')
        .set('Content-Type', 'application/json')
        .send(`{"state": 1, "log_text": "solved", "log_json": {"status": "Optimal", "status_code": 1, "sol_code": 1, "extra": 3}, "solution_schema": "solve_model_dag", "data": ${SOLUTION_TEXT}}`);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'results successfully saved' });
      const status = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(status.body).to.deep.equal({ id, state: 1, message: 'The execution has been solved correctly.', data_hash: dataHashOfText(SOLUTION_TEXT) });
      const sol = await t.get(`/execution/${id}/data/`, { token: planner.token });
      expect(sol.status).to.equal(200);
      expect(sol.body.data).to.deep.equal(SOLUTION);
      expect(sol.body.log).to.deep.equal({ status: 'Optimal', status_code: 1, sol_code: 1 });
      const log = await t.get(`/execution/${id}/log/`, { token: planner.token });
      expect(log.status).to.equal(200);
      expect(log.body.log_text).to.equal('solved');
      expect(log.body.log).to.deep.equal({ status: 'Optimal', status_code: 1, sol_code: 1 });
      const list = await t.get('/execution/', { token: planner.token });
      expect(list.body.find((e: { id: string }) => e.id === id).log).to.deep.equal({ status: 'Optimal', status_code: 1, sol_code: 1 });
    });

    it('a failed run stays failed after the trailing log-only PUT (cornflow bug fixed)', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      expect((await t.put(`/dag/${id}/`, { token: service.token, body: { state: -1 } })).status).to.equal(200);
      expect((await t.put(`/execution/${id}/status/`, { token: service.token, body: { status: -1 } })).status).to.equal(200);
      expect((await t.put(`/dag/${id}/`, { token: service.token, body: { log_text: 'the airflow log' } })).status).to.equal(200);
      const st = await t.get(`/execution/${id}/status/`, { token: planner.token });
      expect(st.body.state).to.equal(-1);
      expect(st.body.message).to.equal('The execution has found an error.');
    });

    it('unknown state codes are 400 and change nothing; invalid solutions are 400', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      expect((await t.put(`/dag/${id}/`, { token: service.token, body: { state: 7 } })).status).to.equal(400);
      expect((await t.put(`/execution/${id}/status/`, { token: service.token, body: { status: 9 } })).status).to.equal(400);
      const bad = await t.put(`/dag/${id}/`, { token: service.token, body: { data: { objective: 1 } } });
      expect(bad.status).to.equal(400);
      expect(bad.body.jsonschema_errors).to.be.an('array');
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(-7);
    });

    it('PUT status without status is 400; on a finished execution it is ignored', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const missing = await t.put(`/execution/${id}/status/`, { token: service.token, body: {} });
      expect(missing.status).to.equal(400);
      expect(missing.body.error).to.equal('status code was missing');
      await t.put(`/dag/${id}/`, { token: service.token, body: { state: 1 } });
      expect((await t.put(`/execution/${id}/status/`, { token: service.token, body: { status: -1 } })).status).to.equal(200);
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(1);
    });

    it('worker routes: planners are 403, missing ids 404, no token 400', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      expect((await t.get(`/dag/${id}/`, { token: planner.token })).status).to.equal(403);
      expect((await t.put(`/dag/${id}/`, { token: planner.token, body: { state: 1 } })).status).to.equal(403);
      expect((await t.get(`/dag/${id}/`)).status).to.equal(400);
      const missing = await t.get('/dag/nope/', { token: service.token });
      expect(missing.status).to.equal(404);
      expect(missing.body.error).to.equal('The execution does not exist.');
      expect((await t.put('/dag/nope/', { token: service.token, body: { state: 1 } })).status).to.equal(404);
    });

    it('PUT /dag/instance/ writes checks; PUT /dag/case/ 404 on a missing case', async () => {
      const res = await t.put(`/dag/instance/${instanceId}/`, { token: service.token, body: { checks: { ok: [1.0] } } });
      expect(res.status, res.text).to.equal(200);
      const data = await t.get(`/instance/${instanceId}/data/`, { token: planner.token });
      expect(data.body.checks).to.deep.equal({ ok: [1] });
      expect((await t.put('/dag/instance/nope/', { token: service.token, body: { checks: {} } })).status).to.equal(404);
      expect((await t.put(`/dag/instance/${instanceId}/`, { token: service.token, body: { checks: null } })).status).to.equal(400);
      expect((await t.put(`/dag/instance/${instanceId}/`, { token: planner.token, body: { checks: {} } })).status).to.equal(403);
      expect((await t.put('/dag/case/999999/', { token: service.token, body: { checks: {} } })).status).to.equal(404);
    });
  });

  describe('getExecution / list / update / delete', () => {
    it('detail has cornflow\'s keys and indicators; others cannot see it', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      await t.put(`/dag/${id}/`, { token: service.token, body: { state: 1 } });
      await t.knex('executions').where({ id }).update({ data: JSON.stringify({ indicators: { b: 2, a: 1.5 } }) });
      const res = await t.get(`/execution/${id}/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(DETAIL_KEYS);
      expect(res.body.indicators).to.equal('a: 1.5; b: 2');
      expect(res.body.username).to.equal(planner.username);
      expect((await t.get(`/execution/${id}/`, { token: other.token })).status).to.equal(404);
      expect((await t.get(`/execution/${id}/`, { token: admin.token })).status).to.equal(200);
      expect((await t.get(`/execution/${id}/`)).status).to.equal(400);
    });

    it('list: own executions only, newest first, limit', async () => {
      const list = await t.get('/execution/', { token: planner.token, query: { limit: '2' } });
      expect(list.status).to.equal(200);
      expect(list.body).to.have.length(2);
      expect(list.body[0].created_at >= list.body[1].created_at).to.equal(true);
      expect((await t.get('/execution/', { token: other.token })).body).to.deep.equal([]);
    });

    it('PUT edits name and data (rehashed, validated); bad data 400 changes nothing', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const ok = await t.put(`/execution/${id}/`, { token: planner.token, body: { name: 'renamed', data: SOLUTION } });
      expect(ok.status, ok.text).to.equal(200);
      const row = await t.knex('executions').where({ id }).first();
      expect(row.name).to.equal('renamed');
      const bad = await t.put(`/execution/${id}/`, { token: planner.token, body: { name: 'again', data: { objective: 1 } } });
      expect(bad.status).to.equal(400);
      expect((await t.knex('executions').where({ id }).first()).name).to.equal('renamed');
      expect((await t.put(`/execution/${id}/`, { token: planner.token, body: { unknown: 1 } })).status).to.equal(400);
      expect((await t.put(`/execution/${id}/`, { token: other.token, body: { name: 'x' } })).status).to.equal(404);
      expect((await t.put(`/execution/${id}/`, { token: viewer.token, body: { name: 'x' } })).status).to.equal(403);
    });

    it('DELETE removes it; 404 afterwards and for others', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      expect((await t.delete(`/execution/${id}/`, { token: other.token })).status).to.equal(404);
      expect((await t.delete(`/execution/${id}/`, { token: viewer.token })).status).to.equal(403);
      const res = await t.delete(`/execution/${id}/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The object has been deleted' });
      expect((await t.get(`/execution/${id}/`, { token: planner.token })).status).to.equal(404);
    });
  });

  describe('stop and relaunch (local backend)', () => {
    it('POST /execution/<id>/ stops: state −2', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const res = await t.post(`/execution/${id}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The execution has been stopped' });
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(-2);
      expect((await t.post('/execution/nope/', { token: planner.token })).status).to.equal(404);
      expect((await t.post(`/execution/${id}/`, { token: viewer.token })).status).to.equal(403);
    });

    it('relaunch: still running → 400 message; run=0 → −4; then relaunched → −7', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const running = await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: { config: { timeLimit: 5 } } });
      expect(running.status).to.equal(400);
      expect(running.body).to.deep.equal({ message: 'This execution is still running' });
      await t.post(`/execution/${id}/`, { token: planner.token });
      const notRun = await t.post(`/execution/${id}/relaunch/`, { token: planner.token, query: { run: '0' }, body: { config: { timeLimit: 5 } } });
      expect(notRun.status).to.equal(201);
      expect(notRun.body).to.deep.equal({ message: 'The execution was set for relaunch but was not launched' });
      expect((await t.get(`/execution/${id}/`, { token: planner.token })).body.config).to.deep.equal({ timeLimit: 5, solver: 'PULP_CBC_CMD' });
      const ok = await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: { config: { timeLimit: 6, solver: 'HiGHS' } } });
      expect(ok.status, ok.text).to.equal(201);
      expect(ok.body).to.deep.equal({ message: 'The execution was relaunched correctly' });
      expect((await t.get(`/execution/${id}/status/`, { token: planner.token })).body.state).to.equal(-7);
      expect((await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: { config: { nope: 1 } } })).status).to.equal(400);
      expect((await t.post(`/execution/${id}/relaunch/`, { token: planner.token, body: {} })).status).to.equal(400);
      expect((await t.post('/execution/nope/relaunch/', { token: planner.token, body: { config: {} } })).status).to.equal(404);
    });
  });

  describe('data checks (local backend)', () => {
    it('execution: re-runs in checks mode (−7, last_run_checks_and_kpis); running → 400; others 404', async () => {
      const id = (await newExecution(t, planner, instanceId)).body.id as string;
      const running = await t.post(`/data-check/execution/${id}/`, { token: planner.token });
      expect(running.status).to.equal(400);
      expect(running.body.error).to.equal('The execution is still running');
      await t.put(`/dag/${id}/`, { token: service.token, body: { state: 1 } });
      const res = await t.post(`/data-check-kpis/execution/${id}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(BASIC_KEYS);
      expect(res.body.state).to.equal(-7);
      expect((await t.knex('executions').where({ id }).first()).last_run_checks_and_kpis).to.be.oneOf([true, 1]);
      await t.put(`/dag/${id}/`, { token: service.token, body: { state: 1 } });
      const notRun = await t.post(`/data-check/execution/${id}/`, { token: planner.token, query: { run: '0' } });
      expect(notRun.body.state).to.equal(-4);
      const missing = await t.post(`/data-check/execution/${id}/`, { token: other.token });
      expect(missing.status).to.equal(404);
      expect(missing.body.error).to.equal('The execution to check does not exist');
      expect((await t.post(`/data-check/execution/${id}/`, { token: viewer.token })).status).to.equal(403);
      expect((await t.post(`/data-check/execution/${id}/`)).status).to.equal(400);
    });

    it('instance: a new checks-only execution, hidden from the list unless checks_and_kpis=true', async () => {
      const res = await t.post(`/data-check/instance/${instanceId}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.name).to.match(/^data_check_instance_/);
      expect(res.body.config).to.deep.equal({ checks_and_kpis_only: true });
      expect(res.body.instance_id).to.equal(instanceId);
      const list = await t.get('/execution/', { token: planner.token, query: { limit: '100' } });
      expect(list.body.map((e: { id: string }) => e.id)).to.not.include(res.body.id);
      const all = await t.get('/execution/', { token: planner.token, query: { limit: '100', checks_and_kpis: 'true' } });
      expect(all.body.map((e: { id: string }) => e.id)).to.include(res.body.id);
      const missing = await t.post('/data-check-kpis/instance/nope/', { token: planner.token });
      expect(missing.status).to.equal(404);
      expect(missing.body.error).to.equal('The instance to check does not exist');
    });

    it('case: a new instance and execution from the case; invalid case data 400 and nothing created', async () => {
      const caseId = await insertCase(t, planner, { solution: SOLUTION });
      const res = await t.post(`/data-check/case/${caseId}/`, { token: planner.token });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.name).to.equal('data_check_case_case1');
      expect(res.body.data_hash).to.equal(dataHashOfText(SOLUTION_TEXT));
      const inst = await t.knex('instances').where({ id: res.body.instance_id }).first();
      expect(inst.name).to.equal('data_check_case_case1');
      const bad = await insertCase(t, planner, { data: { not: 'a model' } });
      const before = await t.count('executions');
      const err = await t.post(`/data-check-kpis/case/${bad}/`, { token: planner.token });
      expect(err.status).to.equal(400);
      expect(err.body.jsonschema_errors).to.be.an('array');
      expect(await t.count('executions')).to.equal(before);
      expect((await t.post(`/data-check/case/${caseId}/`, { token: other.token })).status).to.equal(404);
      expect((await t.post('/data-check/case/abc/', { token: planner.token })).status).to.be.oneOf([400, 404]);
    });
  });

  describe('createManualExecution', () => {
    it('stores an execution in state 2', async () => {
      const res = await t.post('/dag/', { token: planner.token, body: { name: 'manual', config: {}, instance_id: instanceId, data: SOLUTION, state: 1 } });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.state).to.equal(2);
      expect(res.body.message).to.equal('The execution was loaded manually.');
      expect(res.body.data_hash).to.equal(dataHashOfText(SOLUTION_TEXT));
    });
    it('unknown instance: 400 integrity error; viewer 403', async () => {
      const res = await t.post('/dag/', { token: planner.token, body: { name: 'manual', config: {}, instance_id: 'nope' } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.match(/^Integrity error on saving with data <Execution [0-9a-f]{40}>$/);
      expect((await t.post('/dag/', { token: viewer.token, body: { name: 'manual', config: {}, instance_id: instanceId } })).status).to.equal(403);
    });
  });
});
