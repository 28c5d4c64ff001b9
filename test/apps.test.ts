import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase, type TestUser } from './support/app.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const PULP_SCHEMA = JSON.parse(readFileSync(`${TESTDATA}/pulp_json_schema.json`, 'utf8'));
const NEW_INSTANCE = JSON.parse(readFileSync(`${TESTDATA}/new_instance.json`, 'utf8'));
const DAG_KEYS = ['id', 'description', 'instance_schema', 'solution_schema', 'config_schema', 'instance_checks_schema', 'solution_checks_schema', 'kpis_schema'];

const dag = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  description: 'an app',
  instance_schema: { type: 'object', required: ['a'], properties: { a: { type: 'integer' } } },
  solution_schema: {},
  config_schema: {},
  instance_checks_schema: {},
  solution_checks_schema: {},
  kpis_schema: {},
  ...extra,
});

forEachDatabase('apps', (t) => {
  let service: TestUser;
  let admin: TestUser;
  let planner: TestUser;
  let viewer: TestUser;
  before(async () => {
    service = await t.user('service');
    admin = await t.user('admin');
    planner = await t.user('planner');
    viewer = await t.user('viewer');
  });

  describe('listDeployedDags', () => {
    it('lists solve_model_dag, registered at start-up with the PuLP schema', async () => {
      const res = await t.get('/dag/deployed/', { token: service.token });
      expect(res.status).to.equal(200);
      const smd = res.body.find((d: { id: string }) => d.id === 'solve_model_dag');
      expect(Object.keys(smd)).to.deep.equal(DAG_KEYS);
      expect(smd.instance_schema).to.deep.equal(PULP_SCHEMA);
      expect(smd.solution_schema).to.deep.equal(PULP_SCHEMA);
      expect(smd.config_schema.properties.solver.default).to.equal('PULP_CBC_CMD');
    });

    it('is for service users only', async () => {
      for (const u of [admin, planner, viewer]) {
        const res = await t.get('/dag/deployed/', { token: u.token });
        expect(res.status).to.equal(403);
      }
    });
  });

  describe('createDeployedDag', () => {
    it('registers an app and echoes the 8 fields; grants nobody', async () => {
      const res = await t.post('/dag/deployed/', { token: service.token, body: dag('app1') });
      expect(res.status).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(DAG_KEYS);
      expect(res.body).to.deep.equal(dag('app1'));
      expect(await t.knex('permission_dag').where({ dag_id: 'app1' })).to.have.length(0);
    });

    it('answers cornflow\'s 400 for a duplicate, and rejects null or missing schemas, leaving the table unchanged', async () => {
      await t.post('/dag/deployed/', { token: service.token, body: dag('dup') });
      const before = await t.count('deployed_workflows');
      let res = await t.post('/dag/deployed/', { token: service.token, body: dag('dup') });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Integrity error on saving with data <DAG dup>' });
      res = await t.post('/dag/deployed/', { token: service.token, body: dag('x', { kpis_schema: null }) });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'kpis_schema': ['Field may not be null.']}}" });
      const { kpis_schema: _k, ...missing } = dag('y');
      res = await t.post('/dag/deployed/', { token: service.token, body: missing });
      expect(res.body).to.deep.equal({ error: "{'json': {'kpis_schema': ['Missing data for required field.']}}" });
      res = await t.post('/dag/deployed/', { token: service.token, body: dag('z', { other: 1 }) });
      expect(res.body).to.deep.equal({ error: "{'json': {'other': ['Unknown field.']}}" });
      res = await t.post('/dag/deployed/', { token: admin.token, body: dag('w') });
      expect(res.status).to.equal(403);
      expect(await t.count('deployed_workflows')).to.equal(before);
    });
  });

  describe('updateDeployedDag', () => {
    it('updates the schemas, and instance validation follows at once', async () => {
      await t.post('/dag/deployed/', { token: service.token, body: dag('upd') });
      await t.knex('permission_dag').insert({ dag_id: 'upd', user_id: planner.id, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
      let res = await t.post('/instance/', { token: planner.token, body: { name: 'i', schema: 'upd', data: { a: 'text' } } });
      expect(res.status).to.equal(400);
      res = await t.put('/dag/deployed/upd/', {
        token: service.token,
        body: { instance_schema: { type: 'object' }, instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} },
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Updated correctly' });
      res = await t.post('/instance/', { token: planner.token, body: { name: 'i', schema: 'upd', data: { a: 'text' } } });
      expect(res.status).to.equal(201);
    });

    it('answers 404 for an unknown app, 400 without the required schemas, 403 for others', async () => {
      const body = { instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} };
      let res = await t.put('/dag/deployed/nope/', { token: service.token, body });
      expect(res.status).to.equal(404);
      res = await t.put('/dag/deployed/solve_model_dag/', { token: service.token, body: { description: 'x' } });
      expect(res.status).to.equal(400);
      res = await t.put('/dag/deployed/solve_model_dag/', { token: admin.token, body });
      expect(res.status).to.equal(403);
    });
  });

  describe('listSchemas', () => {
    it('lists the apps of the user', async () => {
      const res = await t.get('/schema/', { token: viewer.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ name: 'solve_model_dag' });
    });
  });

  describe('getSchema', () => {
    it('answers the schemas of an app the user has; 403 without it', async () => {
      let res = await t.get('/schema/solve_model_dag/', { token: viewer.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(['name', 'instance', 'solution', 'config', 'instance_checks', 'solution_checks', 'kpis']);
      expect(res.body.instance).to.deep.equal(PULP_SCHEMA);
      res = await t.get('/schema/app1/', { token: viewer.token });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'User does not have permission to access this dag' });
    });
  });

  describe('listExamples', () => {
    it('lists the local examples; 403 with a period without the app; service has no access to the view', async () => {
      let res = await t.get('/example/solve_model_dag/', { token: planner.token });
      expect(res.status).to.equal(200);
      expect(res.body[0].name).to.equal('new_instance');
      res = await t.get('/example/app1/', { token: planner.token });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'User does not have permission to access this dag.' });
      res = await t.get('/example/solve_model_dag/', { token: service.token });
      expect(res.status).to.equal(403);
    });
  });

  describe('getExample', () => {
    it('answers one example, 404 for an unknown name', async () => {
      let res = await t.get('/example/solve_model_dag/new_instance/', { token: viewer.token });
      expect(res.status).to.equal(200);
      expect(res.body.instance).to.deep.equal(NEW_INSTANCE.data);
      res = await t.get('/example/solve_model_dag/nope/', { token: viewer.token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The example does not exist' });
    });
  });
});

forEachDatabase(
  'apps (Airflow backend)',
  (t) => {
    it('answers 400 Airflow is not reachable for examples', async () => {
      const u = await t.user('planner');
      let res = await t.get('/example/solve_model_dag/', { token: u.token });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Airflow is not reachable' });
      res = await t.get('/example/solve_model_dag/x/', { token: u.token });
      expect(res.body).to.deep.equal({ error: 'Airflow is not reachable' });
    });
  },
  { CORNFLOW_BACKEND: '1', AIRFLOW_URL: 'http://127.0.0.1:1' },
);

forEachDatabase(
  'apps (OPEN_DEPLOYMENT=0 start-up grants)',
  (t) => {
    it('grants the built-in app to service users only', async () => {
      const rows = await t.knex('permission_dag').join('users', 'users.id', 'permission_dag.user_id').select('users.username');
      expect(rows.map((r: { username: string }) => r.username)).to.deep.equal(['service_user']);
    });
  },
  { OPEN_DEPLOYMENT: '0' },
);
