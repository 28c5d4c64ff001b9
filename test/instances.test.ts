import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { gzipSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { forEachDatabase, type TestApp, type TestUser } from './support/app.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const NEW_INSTANCE_TEXT = readFileSync(`${TESTDATA}/new_instance.json`, 'utf8');
const NEW_INSTANCE = JSON.parse(NEW_INSTANCE_TEXT) as { data: Record<string, unknown>; name: string; description: string; schema: string };
const NEW_INSTANCE_HASH = '4e1ad86aa70efc6e588744aa4b2300cb9aea516b6bea9355bd00c50dac1ee6a2';
const LIST_KEYS = ['id', 'name', 'description', 'created_at', 'user_id', 'data_hash', 'schema'];

async function create(t: TestApp, user: TestUser, extra: Record<string, unknown> = {}) {
  const res = await t.post('/instance/', { token: user.token, body: { ...NEW_INSTANCE, ...extra } });
  expect(res.status, res.text).to.equal(201);
  return res.body as { id: string; [k: string]: unknown };
}

forEachDatabase('instances', (t) => {
  let planner: TestUser;
  let other: TestUser;
  let viewer: TestUser;
  let admin: TestUser;
  let service: TestUser;
  before(async () => {
    planner = await t.user('planner');
    other = await t.user('planner');
    viewer = await t.user('viewer');
    admin = await t.user('admin');
    service = await t.user('service');
  });

  describe('createInstance', () => {
    it('creates an instance with cornflow\'s hash, id form and detail shape', async () => {
      const body = await create(t, planner);
      expect(Object.keys(body)).to.deep.equal([...LIST_KEYS, 'executions']);
      expect(body.data_hash).to.equal(NEW_INSTANCE_HASH);
      expect(body.id).to.match(/^[0-9a-f]{40}$/);
      expect(body.user_id).to.equal(planner.id);
      expect(body.schema).to.equal('solve_model_dag');
      expect(body.executions).to.deep.equal([]);
      const row = await t.knex('instances').where({ id: body.id }).first();
      expect(row.data_hash).to.equal(NEW_INSTANCE_HASH);
    });

    it('keeps number lexemes: 1.0 is stored, hashed and sent back as 1.0', async () => {
      const text = NEW_INSTANCE_TEXT.replace('"value": 1\n', '"value": 1.0\n');
      expect(text).to.not.equal(NEW_INSTANCE_TEXT);
      const res = await t.raw().post('/instance/').set('Authorization', `Bearer ${planner.token}`).set('Content-Type', 'application/json').send(text);
      expect(res.status, res.text).to.equal(201);
      expect(res.body.data_hash).to.not.equal(NEW_INSTANCE_HASH);
      const data = await t.raw().get(`/instance/${res.body.id}/data/`).set('Authorization', `Bearer ${planner.token}`).set('Accept-Encoding', 'identity');
      expect(data.text).to.include('"value":1.0');
    });

    it('accepts a gzip-compressed body and ignores Content-Encoding: br on a plain body', async () => {
      const before = await t.count('instances');
      let res = await t.gzipJson('post', '/instance/', gzipSync(NEW_INSTANCE_TEXT), planner.token);
      expect(res.status, res.text).to.equal(201);
      expect(res.body.data_hash).to.equal(NEW_INSTANCE_HASH);
      res = await t.post('/instance/', { token: planner.token, body: NEW_INSTANCE, headers: { 'Content-Encoding': 'br' } });
      expect(res.status).to.equal(201);
      expect(await t.count('instances')).to.equal(before + 2);
    });

    it('defaults to solve_model_dag validation but stores schema null when absent; aliases pulp', async () => {
      const { schema: _s, ...noSchema } = NEW_INSTANCE;
      let res = await t.post('/instance/', { token: planner.token, body: noSchema });
      expect(res.status).to.equal(201);
      expect(res.body.schema).to.equal(null);
      res = await t.post('/instance/', { token: planner.token, body: { ...noSchema, data: { bad: 1 } } });
      expect(res.status).to.equal(400);
      res = await t.post('/instance/', { token: planner.token, body: { ...NEW_INSTANCE, schema: 'pulp' } });
      expect(res.status).to.equal(201);
      expect(res.body.schema).to.equal('pulp');
    });

    it('rejects data that fails the app schema with jsonschema_errors and stores nothing', async () => {
      const before = await t.count('instances');
      const res = await t.post('/instance/', { token: planner.token, body: { ...NEW_INSTANCE, data: { objective: 5 } } });
      expect(res.status).to.equal(400);
      expect(Object.keys(res.body)).to.deep.equal(['jsonschema_errors', 'error']);
      expect(res.body.error).to.equal('The data sent is not valid');
      const firstLines = (res.body.jsonschema_errors as string[]).map((e) => e.split('\n')[0]);
      expect(firstLines).to.include("5 is not of type 'object'");
      expect(firstLines).to.include("'constraints' is a required property");
      expect(res.body.jsonschema_errors[0]).to.include("Failed validating '");
      expect(await t.count('instances')).to.equal(before);
    });

    it('answers 404 for an unknown app', async () => {
      const res = await t.post('/instance/', { token: planner.token, body: { ...NEW_INSTANCE, schema: 'nope' } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The DAG nope does not exist in the database.' });
    });

    it('rejects unknown fields, wrong types, missing and null data', async () => {
      const before = await t.count('instances');
      let res = await t.post('/instance/', { token: planner.token, body: { ...NEW_INSTANCE, extra: 1 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'extra': ['Unknown field.']}}" });
      res = await t.post('/instance/', { token: planner.token, body: { ...NEW_INSTANCE, name: 5 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'name': ['Not a valid string.']}}" });
      res = await t.post('/instance/', { token: planner.token, body: { name: 'x' } });
      expect(res.body).to.deep.equal({ error: "{'json': {'data': ['Missing data for required field.']}}" });
      res = await t.post('/instance/', { token: planner.token, body: { name: 'x', data: null } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'data': ['Field may not be null.']}}" });
      expect(await t.count('instances')).to.equal(before);
    });

    it('lets a viewer not create (403) and requires a token (400)', async () => {
      let res = await t.post('/instance/', { token: viewer.token, body: NEW_INSTANCE });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'You do not have permission to access this endpoint' });
      res = await t.post('/instance/', { body: NEW_INSTANCE });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Authorization header is missing' });
    });

    it('keeps two instances created by one user in the same millisecond apart', async () => {
      const [a, b] = await Promise.all([create(t, planner), create(t, planner)]);
      expect(a!.id).to.not.equal(b!.id);
    });
  });

  describe('listInstances', () => {
    it('lists the own instances newest first, 10 by default, with limit/offset', async () => {
      const u = await t.user('planner');
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await create(t, u, { name: `n${i}` })).id);
      let res = await t.get('/instance/', { token: u.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.have.length(10);
      expect(Object.keys(res.body[0])).to.deep.equal(LIST_KEYS);
      expect(res.body.map((r: { id: string }) => r.id)).to.deep.equal(ids.slice().reverse().slice(0, 10));
      res = await t.get('/instance/', { token: u.token, query: { limit: 3, offset: 10 } });
      expect(res.body.map((r: { id: string }) => r.id)).to.deep.equal([ids[1], ids[0]]);
      res = await t.get('/instance/', { token: u.token, query: { limit: 0 } });
      expect(res.body).to.deep.equal([]);
    });

    it('filters by schema, id, name and dates; deletion dates answer []', async () => {
      const u = await t.user('planner');
      const a = await create(t, u, { name: 'alpha' });
      const b = await create(t, u, { name: 'beta', schema: 'pulp' });
      const ids = async (query: Record<string, string | number>) =>
        (await t.get('/instance/', { token: u.token, query })).body.map((r: { id: string }) => r.id);
      expect(await ids({ schema: 'pulp' })).to.deep.equal([b.id]);
      expect(await ids({ id: a.id })).to.deep.equal([a.id]);
      expect(await ids({ name: 'beta' })).to.deep.equal([b.id]);
      expect(await ids({ creation_date_gte: b.created_at as string })).to.deep.equal([b.id]);
      expect(await ids({ creation_date_lte: a.created_at as string })).to.deep.equal([a.id]);
      expect(await ids({ update_date_gte: '2000-01-01T00:00:00' })).to.deep.equal([b.id, a.id]);
      expect(await ids({ update_date_lte: '2000-01-01T00:00:00Z' })).to.deep.equal([]);
      expect(await ids({ deletion_date_gte: '2000-01-01T00:00:00' })).to.deep.equal([]);
      const res = await t.get('/instance/', { token: u.token, query: { creation_date_gte: '2024-01-01' } });
      expect(res.status).to.equal(400);
    });

    it('scopes by owner: others do not see it, admin and service do, USER_ACCESS_ALL_OBJECTS is honoured below', async () => {
      const mine = await create(t, planner, { name: 'scoped' });
      const seen = async (u: TestUser) => (await t.get('/instance/', { token: u.token, query: { id: mine.id } })).body.length;
      expect(await seen(planner)).to.equal(1);
      expect(await seen(other)).to.equal(0);
      expect(await seen(admin)).to.equal(1);
      expect(await seen(service)).to.equal(1);
      expect(await seen(viewer)).to.equal(0);
    });
  });

  describe('getInstance', () => {
    it('answers the detail, and 404 for another planner; admin sees it', async () => {
      const inst = await create(t, planner);
      let res = await t.get(`/instance/${inst.id}/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(inst);
      res = await t.get(`/instance/${inst.id}/`, { token: other.token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The data entity does not exist on the database' });
      res = await t.get(`/instance/${inst.id}/`, { token: admin.token });
      expect(res.status).to.equal(200);
      res = await t.get('/instance/nope/', { token: planner.token });
      expect(res.status).to.equal(404);
    });

    it('lists the instance\'s executions in exec-basic shape', async () => {
      const inst = await create(t, planner);
      const now = '2024-05-06 10:11:12.123456';
      await t.knex('executions').insert({
        id: 'e'.repeat(40), name: 'run', description: null, data: null, checks: null, data_hash: 'h', schema: 'solve_model_dag',
        user_id: planner.id, instance_id: inst.id, config: '{"timeLimit":10.0}', state: 1, state_message: 'The execution has been solved correctly.',
        execution_files_status: 0, created_at: now, updated_at: now,
      });
      const res = await t.get(`/instance/${inst.id}/`, { token: planner.token });
      expect(res.body.executions).to.have.length(1);
      expect(Object.keys(res.body.executions[0])).to.deep.equal(['id', 'name', 'description', 'created_at', 'user_id', 'data_hash', 'schema', 'config', 'instance_id', 'state', 'message']);
      expect(res.body.executions[0].created_at).to.equal('2024-05-06T10:11:12.123456');
      expect(res.text).to.include('"config":{"timeLimit":10.0}');
    });
  });

  describe('getInstanceData', () => {
    it('answers data and checks verbatim, compressed with gzip or br and Vary', async () => {
      const inst = await create(t, planner, { checks: { ok: 1.50 } });
      let res = await t.get(`/instance/${inst.id}/data/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal([...LIST_KEYS, 'data', 'checks']);
      expect(res.body.data).to.deep.equal(NEW_INSTANCE.data);
      for (const enc of ['gzip', 'br']) {
        const raw = await t
          .raw()
          .get(`/instance/${inst.id}/data/`)
          .set('Authorization', `Bearer ${planner.token}`)
          .set('Accept-Encoding', enc)
          .buffer(true)
          .parse((r, cb) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => cb(null, Buffer.concat(chunks)));
          });
        expect(raw.headers['content-encoding']).to.equal(enc);
        expect(raw.headers.vary).to.match(/Accept-Encoding/);
        // superagent may already have decoded the body; decode it here otherwise.
        const buf = raw.body as Buffer;
        let text = buf.toString();
        if (buf[0] !== 0x7b) text = (enc === 'br' ? brotliDecompressSync(buf) : gunzipSync(buf)).toString();
        expect(JSON.parse(text).data_hash).to.equal(NEW_INSTANCE_HASH);
      }
      res = await t.get(`/instance/${inst.id}/data/`, { token: other.token });
      expect(res.status).to.equal(404);
      res = await t.get(`/instance/${inst.id}/data/`, { token: admin.token });
      expect(res.status).to.equal(200);
    });

    it('does not compress a body under 500 bytes', async () => {
      const app = await t.post('/dag/deployed/', {
        token: service.token,
        body: { id: 'tiny', description: null, instance_schema: {}, solution_schema: {}, config_schema: {}, instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} },
      });
      expect(app.status).to.equal(201);
      const inst = await create(t, planner, { schema: 'tiny', data: { a: 1 } });
      const res = await t.raw().get(`/instance/${inst.id}/data/`).set('Authorization', `Bearer ${planner.token}`).set('Accept-Encoding', 'gzip');
      expect(res.headers['content-encoding']).to.equal(undefined);
      expect(res.body.data).to.deep.equal({ a: 1 });
    });
  });

  describe('updateInstance', () => {
    it('updates name and data, rehashes, clears checks and keeps the owner when admin edits', async () => {
      const inst = await create(t, planner, { checks: { x: 1 } });
      const data = { ...NEW_INSTANCE.data, parameters: { ...(NEW_INSTANCE.data.parameters as object), name: 'changed' } };
      let res = await t.put(`/instance/${inst.id}/`, { token: admin.token, body: { name: 'renamed', data } });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Updated correctly' });
      res = await t.get(`/instance/${inst.id}/data/`, { token: planner.token });
      expect(res.body.name).to.equal('renamed');
      expect(res.body.user_id).to.equal(planner.id);
      expect(res.body.checks).to.equal(null);
      expect(res.body.data_hash).to.not.equal(NEW_INSTANCE_HASH);
      expect(res.body.data.parameters.name).to.equal('changed');
    });

    it('answers 404 (not 500) for a missing or not-owned id; validates data; rejects bad input', async () => {
      const inst = await create(t, planner);
      let res = await t.put('/instance/nope/', { token: planner.token, body: { name: 'x' } });
      expect(res.status).to.equal(404);
      res = await t.put(`/instance/${inst.id}/`, { token: other.token, body: { name: 'x' } });
      expect(res.status).to.equal(404);
      res = await t.put(`/instance/${inst.id}/`, { token: viewer.token, body: { name: 'x' } });
      expect(res.status).to.equal(403);
      res = await t.put(`/instance/${inst.id}/`, { token: planner.token, body: { data: { objective: 1 } } });
      expect(res.status).to.equal(400);
      expect(res.body.jsonschema_errors).to.be.an('array');
      res = await t.put(`/instance/${inst.id}/`, { token: planner.token, body: { schema: 'x' } });
      expect(res.body).to.deep.equal({ error: "{'json': {'schema': ['Unknown field.']}}" });
      res = await t.put(`/instance/${inst.id}/`, { token: planner.token, body: { name: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'name': ['Not a valid string.']}}" });
      const row = await t.knex('instances').where({ id: inst.id }).first();
      expect(row.name).to.equal(NEW_INSTANCE.name);
      expect(row.data_hash).to.equal(NEW_INSTANCE_HASH);
    });
  });

  describe('deleteInstance', () => {
    it('deletes the instance and its executions; 404 for others; viewer 403', async () => {
      const inst = await create(t, planner);
      const now = '2024-05-06 10:11:12.123456';
      await t.knex('executions').insert({
        id: 'f'.repeat(40), name: 'run', data_hash: 'h', schema: 's', user_id: planner.id, instance_id: inst.id, config: '{}', state: 1, execution_files_status: 0, created_at: now, updated_at: now,
      });
      let res = await t.delete(`/instance/${inst.id}/`, { token: other.token });
      expect(res.status).to.equal(404);
      res = await t.delete(`/instance/${inst.id}/`, { token: viewer.token });
      expect(res.status).to.equal(403);
      res = await t.delete(`/instance/${inst.id}/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The object has been deleted' });
      expect(await t.knex('executions').where({ instance_id: inst.id })).to.have.length(0);
      res = await t.delete(`/instance/${inst.id}/`, { token: planner.token });
      expect(res.status).to.equal(404);
      const other2 = await create(t, other);
      res = await t.delete(`/instance/${other2.id}/`, { token: admin.token });
      expect(res.status).to.equal(200);
    });
  });
});

forEachDatabase(
  'instances (USER_ACCESS_ALL_OBJECTS=1, OPEN_DEPLOYMENT=0)',
  (t) => {
    it('lets planners see each other\'s instances', async () => {
      const a = await t.user('planner');
      const b = await t.user('planner');
      const res = await t.post('/instance/', { token: a.token, body: NEW_INSTANCE });
      expect(res.status).to.equal(201);
      expect((await t.get(`/instance/${res.body.id}/`, { token: b.token })).status).to.equal(200);
    });

    it('[dagperm]: 400 without schema, 403 without the app, 201 with it', async () => {
      const u = await t.user('planner');
      await t.knex('permission_dag').where({ user_id: u.id }).del();
      const before = await t.count('instances');
      const { schema: _s, ...noSchema } = NEW_INSTANCE;
      let res = await t.post('/instance/', { token: u.token, body: noSchema });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The request does not specify a schema to use' });
      res = await t.post('/instance/', { token: u.token, body: NEW_INSTANCE });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'You do not have permission to use this DAG' });
      expect(await t.count('instances')).to.equal(before);
      res = await t.get('/schema/', { token: u.token });
      expect(res.body).to.deep.equal([]);
      await t.knex('permission_dag').insert({ dag_id: 'solve_model_dag', user_id: u.id, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
      res = await t.post('/instance/', { token: u.token, body: NEW_INSTANCE });
      expect(res.status).to.equal(201);
      res = await t.put(`/instance/${res.body.id}/`, { token: u.token, body: { name: 'ok' } });
      expect(res.status).to.equal(200);
    });
  },
  { USER_ACCESS_ALL_OBJECTS: '1', OPEN_DEPLOYMENT: '0' },
);
