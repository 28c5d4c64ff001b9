import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { forEachDatabase, contract, type TestApp, type TestUser } from './support/app.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const read = (f: string) => JSON.parse(readFileSync(`${TESTDATA}/${f}`, 'utf8'));
const CASE_TEXT = readFileSync(`${TESTDATA}/new_case_raw.json`, 'utf8');
const CASE = JSON.parse(CASE_TEXT) as { name: string; description: string; schema: string; data: Record<string, unknown> };
const CASE_2 = read('new_case_raw_2.json') as typeof CASE;
const PATCH = read('json_patch_good.json') as { data_patch: unknown[] };
const INSTANCE = read('new_instance.json') as { data: Record<string, unknown>; name: string; schema: string };
const SOLUTION = read('new_execution_solution.json') as Record<string, unknown>;
const NULL_HASH = '74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b';
const CREATED_KEYS = ['id', 'name', 'description', 'created_at', 'user_id', 'data_hash', 'schema', 'solution_hash', 'path', 'updated_at', 'is_dir'];
const LIST_KEYS = [...CREATED_KEYS, 'indicators'];
const DATA_KEYS = [...LIST_KEYS, 'data', 'checks', 'solution', 'solution_checks', 'kpis'];

async function snapshot(t: TestApp) {
  return (await t.knex('cases').select('*').orderBy('id')).map((r: Record<string, unknown>) => JSON.stringify(r));
}

async function mk(t: TestApp, user: TestUser, extra: Record<string, unknown> = {}) {
  const res = await t.post('/case/', { token: user.token, body: { ...CASE, ...extra } });
  expect(res.status, res.text).to.equal(201);
  return res.body as { id: number; path: string; data_hash: string; [k: string]: unknown };
}

async function dir(t: TestApp, user: TestUser, name: string, parent_id: number | null = null) {
  const res = await t.post('/case/', { token: user.token, body: { name, schema: 'solve_model_dag', parent_id } });
  expect(res.status, res.text).to.equal(201);
  return res.body as { id: number; path: string };
}

forEachDatabase('cases', (t) => {
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
    const res = await t.post('/dag/deployed/', {
      token: service.token,
      body: { id: 'free', description: null, instance_schema: {}, solution_schema: {}, config_schema: {}, instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} },
    });
    expect(res.status, res.text).to.equal(201);
  });

  describe('createCase', () => {
    it('creates a case with cornflow\'s keys and hashes; the instance hash of the same data is identical', async () => {
      const body = await mk(t, planner);
      expect(Object.keys(body)).to.deep.equal(CREATED_KEYS);
      expect(body.path).to.equal('');
      expect(body.is_dir).to.equal(false);
      expect(body.solution_hash).to.equal(NULL_HASH);
      expect(body.user_id).to.equal(planner.id);
      const inst = await t.post('/instance/', { token: planner.token, body: { name: 'i', schema: 'solve_model_dag', data: CASE.data } });
      expect(inst.status).to.equal(201);
      expect(body.data_hash).to.equal(inst.body.data_hash);
      const withSolution = await mk(t, planner, { solution: SOLUTION });
      const inst2 = await t.post('/instance/', { token: planner.token, body: { name: 'i', schema: 'solve_model_dag', data: SOLUTION } });
      expect(withSolution.solution_hash).to.equal(inst2.body.data_hash);
    });

    it('keeps number lexemes (1.0) in data and hash', async () => {
      const text = JSON.stringify({ name: 'f', schema: 'free', data: { a: 1 }, solution: { b: 2 } }).replace('"a":1', '"a":1.0').replace('"b":2', '"b":2.50e0');
      const res = await t.raw().post('/case/').set('Authorization', `Bearer ${planner.token}`).set('Content-Type', 'application/json').send(text);
      expect(res.status, res.text).to.equal(201);
      const inst = await t.raw().post('/instance/').set('Authorization', `Bearer ${planner.token}`).set('Content-Type', 'application/json').send('{"name":"x","schema":"free","data":{"a":1.0}}');
      expect(res.body.data_hash).to.equal(inst.body.data_hash);
      const data = await t.raw().get(`/case/${res.body.id}/data/`).set('Authorization', `Bearer ${planner.token}`).set('Accept-Encoding', 'identity');
      expect(data.text).to.include('"data":{"a":1.0}');
      expect(data.text).to.include('"solution":{"b":2.5}');
    });

    it('accepts a gzip body and ignores Content-Encoding: br on a plain body', async () => {
      const before = await t.count('cases');
      const res = await t.gzipJson('post', '/case/', gzipSync(CASE_TEXT), planner.token);
      expect(res.status, res.text).to.equal(201);
      contract.check('post', '/case/', res);
      const plain = await t.post('/case/', { token: planner.token, body: CASE, headers: { 'Content-Encoding': 'br' } });
      expect(plain.status).to.equal(201);
      expect(plain.body.data_hash).to.equal(res.body.data_hash);
      expect(await t.count('cases')).to.equal(before + 2);
    });

    it('builds the tree: directories, paths, parent rules', async () => {
      const root = await dir(t, planner, 'root');
      expect(root.path).to.equal('');
      const sub = await dir(t, planner, 'sub', root.id);
      expect(sub.path).to.equal(`${root.id}/`);
      const leaf = await mk(t, planner, { parent_id: sub.id });
      expect(leaf.path).to.equal(`${root.id}/${sub.id}/`);
      const before = await t.count('cases');
      let res = await t.post('/case/', { token: planner.token, body: { ...CASE, parent_id: leaf.id } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Parent cannot be a case' });
      res = await t.post('/case/', { token: planner.token, body: { ...CASE, parent_id: 999999 } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'Parent does not exist' });
      res = await t.post('/case/', { token: other.token, body: { ...CASE, parent_id: root.id } });
      expect(res.status).to.equal(404);
      expect(await t.count('cases')).to.equal(before);
      const d = await t.get(`/case/${root.id}/data/`, { token: planner.token });
      expect(d.body.is_dir).to.equal(true);
      expect(d.body.data).to.equal(null);
      expect(d.body.data_hash).to.equal(NULL_HASH);
    });

    it('validates data and solution against the app, unknown app 404, bad fields 400, nothing stored', async () => {
      const before = await t.count('cases');
      let res = await t.post('/case/', { token: planner.token, body: { ...CASE, data: { objective: 5 } } });
      expect(res.status).to.equal(400);
      expect(Object.keys(res.body)).to.deep.equal(['jsonschema_errors', 'error']);
      res = await t.post('/case/', { token: planner.token, body: { ...CASE, solution: { objective: 5 } } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('The data sent is not valid');
      res = await t.post('/case/', { token: planner.token, body: { ...CASE, schema: 'pulp' } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The DAG pulp does not exist in the database.' });
      res = await t.post('/case/', { token: planner.token, body: { ...CASE, extra: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'extra': ['Unknown field.']}}" });
      res = await t.post('/case/', { token: planner.token, body: { name: 'x' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'schema': ['Missing data for required field.']}}" });
      res = await t.post('/case/', { token: planner.token, body: { ...CASE, parent_id: 'a' } });
      expect(res.status).to.equal(400);
      expect(await t.count('cases')).to.equal(before);
    });

    it('auth 400, viewer and service 403', async () => {
      let res = await t.post('/case/', { body: CASE });
      expect(res.status).to.equal(400);
      res = await t.post('/case/', { token: 'nonsense', body: CASE });
      expect(res.status).to.equal(400);
      res = await t.post('/case/', { token: viewer.token, body: CASE });
      expect(res.status).to.equal(403);
      res = await t.get('/case/', { token: service.token });
      expect(res.status).to.equal(403);
    });
  });

  describe('listCases / getCase', () => {
    it('lists own cases newest first with indicators; others see nothing; admin sees all', async () => {
      const u = await t.user('planner');
      const a = await mk(t, u, { name: 'a' });
      const sent = await t.raw().post('/case/').set('Authorization', `Bearer ${u.token}`).set('Content-Type', 'application/json')
        .send('{"name":"b","schema":"free","data":{"x":1},"solution":{"indicators":{"z":1.0,"a":"txt","m":3,"f":false}}}');
      expect(sent.status, sent.text).to.equal(201);
      const b = sent.body as { id: number };
      let res = await t.get('/case/', { token: u.token });
      expect(res.status).to.equal(200);
      expect(res.body.map((c: { id: number }) => c.id)).to.deep.equal([b.id, a.id]);
      expect(Object.keys(res.body[0])).to.deep.equal(LIST_KEYS);
      expect(res.body[0].indicators).to.equal('a: txt; f: False; m: 3; z: 1.0');
      expect(res.body[1].indicators).to.equal('');
      res = await t.get('/case/', { token: u.token, query: { schema: 'free' } });
      expect(res.body).to.have.length(1);
      res = await t.get('/case/', { token: u.token, query: { id: String(a.id) } });
      expect(res.body.map((c: { id: number }) => c.id)).to.deep.equal([a.id]);
      res = await t.get('/case/', { token: u.token, query: { id: 'abc' } });
      expect(res.body).to.deep.equal([]);
      res = await t.get('/case/', { token: u.token, query: { limit: 1 } });
      expect(res.body).to.have.length(1);
      res = await t.get('/case/', { token: other.token, query: { name: 'b' } });
      expect(res.body).to.deep.equal([]);
      res = await t.get('/case/', { token: admin.token, query: { id: String(b.id) } });
      expect(res.body).to.have.length(1);
      res = await t.get(`/case/${b.id}/`, { token: u.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(LIST_KEYS);
      res = await t.get(`/case/${b.id}/`, { token: other.token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The data entity does not exist on the database' });
      res = await t.get('/case/abc/', { token: u.token });
      expect(res.status).to.equal(404);
      res = await t.get(`/case/${b.id}/`, {});
      expect(res.status).to.equal(400);
    });

    it('reads rows written by the Flask server: JSON null data is a directory', async () => {
      const u = await t.user('planner');
      const now = '2024-05-06 10:11:12.123456';
      const [row] = await t.knex('cases').insert({
        path: '', name: 'flask dir', description: null, data: 'null', checks: null, data_hash: NULL_HASH, schema: 'solve_model_dag',
        solution: '{"indicators":{"gap":0.50}}', solution_hash: 'h', user_id: u.id, created_at: now, updated_at: now,
      }).returning('id');
      const id = Number(typeof row === 'object' ? (row as { id: number }).id : row);
      const res = await t.get(`/case/${id}/`, { token: u.token });
      expect(res.body.is_dir).to.equal(true);
      expect(res.body.indicators).to.equal('gap: 0.5');
      expect(res.body.created_at).to.equal('2024-05-06T10:11:12.123456');
      const child = await t.post('/case/', { token: u.token, body: { ...CASE, parent_id: id } });
      expect(child.status).to.equal(201);
    });

    it('viewer can read its own cases', async () => {
      const res = await t.get('/case/', { token: viewer.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([]);
    });
  });

  describe('getCaseData', () => {
    it('answers the data keys, compressed when asked', async () => {
      const c = await mk(t, planner, { checks: { c: 1 }, solution: SOLUTION, kpis: { k: 2 } });
      const res = await t.get(`/case/${c.id}/data/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(DATA_KEYS);
      expect(res.body.data).to.deep.equal(CASE.data);
      expect(res.body.solution).to.deep.equal(SOLUTION);
      expect(res.body.checks).to.deep.equal({ c: 1 });
      expect(res.body.kpis).to.deep.equal({ k: 2 });
      const gz = await t.raw().get(`/case/${c.id}/data/`).set('Authorization', `Bearer ${planner.token}`).set('Accept-Encoding', 'gzip');
      expect(gz.headers['content-encoding']).to.equal('gzip');
      expect(gz.body.id).to.equal(c.id);
      expect((await t.get(`/case/${c.id}/data/`, { token: other.token })).status).to.equal(404);
    });
  });

  describe('updateCase (rename, move)', () => {
    it('renames without changing the owner (admin edit)', async () => {
      const c = await mk(t, planner);
      let res = await t.put(`/case/${c.id}/`, { token: admin.token, body: { name: 'renamed', description: 'd' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Updated correctly' });
      res = await t.get(`/case/${c.id}/`, { token: planner.token });
      expect(res.body.name).to.equal('renamed');
      expect(res.body.user_id).to.equal(planner.id);
      res = await t.put(`/case/${c.id}/data/`, { token: planner.token, body: { name: 'again' } });
      expect(res.status).to.equal(200);
      expect((await t.get(`/case/${c.id}/`, { token: planner.token })).body.name).to.equal('again');
    });

    it('moves a subtree, to a directory or to the root', async () => {
      const a = await dir(t, planner, 'a');
      const b = await dir(t, planner, 'b');
      const sub = await dir(t, planner, 'sub', a.id);
      const leaf = await mk(t, planner, { parent_id: sub.id });
      let res = await t.put(`/case/${sub.id}/`, { token: planner.token, body: { parent_id: b.id } });
      expect(res.status, res.text).to.equal(200);
      expect((await t.get(`/case/${sub.id}/`, { token: planner.token })).body.path).to.equal(`${b.id}/`);
      expect((await t.get(`/case/${leaf.id}/`, { token: planner.token })).body.path).to.equal(`${b.id}/${sub.id}/`);
      res = await t.put(`/case/${sub.id}/`, { token: planner.token, body: { parent_id: null } });
      expect(res.status).to.equal(200);
      expect((await t.get(`/case/${leaf.id}/`, { token: planner.token })).body.path).to.equal(`${sub.id}/`);
      res = await t.put(`/case/${sub.id}/`, { token: planner.token, body: { parent_id: 0, name: 'kept' } });
      expect(res.status).to.equal(200);
      expect((await t.get(`/case/${sub.id}/`, { token: planner.token })).body.path).to.equal('');
    });

    it('refuses cycles, non-directories, other users\' targets and bad input; nothing changes', async () => {
      const a = await dir(t, planner, 'a');
      const sub = await dir(t, planner, 'sub', a.id);
      const leaf = await mk(t, planner, { parent_id: sub.id });
      const foreign = await dir(t, other, 'theirs');
      const before = await snapshot(t);
      let res = await t.put(`/case/${a.id}/`, { token: planner.token, body: { parent_id: sub.id } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'A case cannot be moved into itself or one of its descendants' });
      res = await t.put(`/case/${a.id}/`, { token: planner.token, body: { parent_id: a.id } });
      expect(res.status).to.equal(400);
      res = await t.put(`/case/${sub.id}/`, { token: planner.token, body: { parent_id: leaf.id } });
      expect(res.status).to.equal(400);
      const c = await mk(t, planner);
      const before2 = await snapshot(t);
      res = await t.put(`/case/${a.id}/`, { token: planner.token, body: { parent_id: c.id } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The new parent is not a directory' });
      res = await t.put(`/case/${a.id}/`, { token: planner.token, body: { parent_id: foreign.id } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The data entity does not exist on the database.' });
      res = await t.put(`/case/${foreign.id}/`, { token: planner.token, body: { name: 'x' } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'The data entity does not exist on the database' });
      res = await t.put(`/case/${a.id}/`, { token: planner.token, body: { owner: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'owner': ['Unknown field.']}}" });
      res = await t.put(`/case/${a.id}/`, { token: viewer.token, body: { name: 'v' } });
      expect(res.status).to.equal(403);
      expect(await snapshot(t)).to.deep.equal(before2);
      expect(before2.slice(0, before.length)).to.deep.equal(before);
    });
  });

  describe('deleteCase', () => {
    it('deletes a directory with its subtree only', async () => {
      const a = await dir(t, planner, 'a');
      const sub = await dir(t, planner, 'sub', a.id);
      const leaf = await mk(t, planner, { parent_id: sub.id });
      const keep = await mk(t, planner);
      let res = await t.delete(`/case/${a.id}/`, { token: other.token });
      expect(res.status).to.equal(404);
      res = await t.delete(`/case/${a.id}/`, { token: viewer.token });
      expect(res.status).to.equal(403);
      res = await t.delete(`/case/${a.id}/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The object has been deleted' });
      for (const id of [a.id, sub.id, leaf.id]) expect(await t.knex('cases').where({ id }).first()).to.equal(undefined);
      expect(await t.knex('cases').where({ id: keep.id }).first()).to.not.equal(undefined);
      res = await t.delete(`/case/${keep.id}/data/`, { token: planner.token });
      expect(res.status).to.equal(200);
      res = await t.delete(`/case/${keep.id}/data/`, { token: planner.token });
      expect(res.status).to.equal(404);
    });
  });

  describe('patchCaseData', () => {
    it('applies cornflow\'s test patch: data equals case 2, hash recomputed, checks cleared', async () => {
      const c = await mk(t, planner, { checks: { c: 1 }, solution: SOLUTION, solution_checks: { s: 1 }, kpis: { k: 1 } });
      const target = await mk(t, planner, { ...CASE_2 });
      let res = await t.patch(`/case/${c.id}/data/`, { token: planner.token, body: PATCH });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Patched correctly' });
      res = await t.get(`/case/${c.id}/data/`, { token: planner.token });
      expect(res.body.data).to.deep.equal(CASE_2.data);
      expect(res.body.data_hash).to.equal(target.data_hash);
      expect(res.body.checks).to.equal(null);
      expect(res.body.solution_checks).to.equal(null);
      expect(res.body.kpis).to.equal(null);
      expect(res.body.solution).to.deep.equal(SOLUTION);
      expect(res.body.user_id).to.equal(planner.id);
    });

    it('patches the solution losslessly, gzip accepted', async () => {
      const c = await mk(t, planner, { schema: 'free', data: { a: 1 }, solution: { s: 1 } });
      const body = '{"solution_patch":[{"op":"add","path":"/t","value":2.0}]}';
      const res = await t.gzipJson('patch', `/case/${c.id}/data/`, gzipSync(body), planner.token);
      expect(res.status, res.text).to.equal(200);
      const data = await t.raw().get(`/case/${c.id}/data/`).set('Authorization', `Bearer ${planner.token}`).set('Accept-Encoding', 'identity');
      expect(data.text).to.include('"solution":{"s":1,"t":2.0}');
      const same = await t.raw().post('/instance/').set('Authorization', `Bearer ${planner.token}`).set('Content-Type', 'application/json').send('{"name":"x","schema":"free","data":{"s":1,"t":2.0}}');
      expect(data.body.solution_hash).to.equal(same.body.data_hash);
      expect(data.body.data_hash).to.equal(c.data_hash);
    });

    it('a patch that does not apply is 400 and changes nothing; `from` is an unknown field', async () => {
      const c = await mk(t, planner);
      const before = await snapshot(t);
      const bad = [
        { data_patch: [{ op: 'replace', path: '/nope/0', value: 1 }] },
        { data_patch: [{ op: 'test', path: '/objective/name', value: 'other' }] },
        { data_patch: [{ op: 'frobnicate', path: '/objective', value: 1 }] },
        { data_patch: [{ op: 'replace', path: '/objective/name', value: 'ok' }], solution_patch: [{ op: 'add', path: '/x', value: 1 }] },
      ];
      for (const body of bad) {
        const res = await t.patch(`/case/${c.id}/data/`, { token: planner.token, body });
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body).to.deep.equal({ error: 'The json patch sent is not valid' });
      }
      let res = await t.patch(`/case/${c.id}/data/`, { token: planner.token, body: { data_patch: [{ op: 'move', from: '/a', path: '/b' }] } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'data_patch': {0: {'from': ['Unknown field.']}}}}" });
      res = await t.patch(`/case/${c.id}/data/`, { token: planner.token, body: { data_patch: [{ path: '/b' }] } });
      expect(res.body).to.deep.equal({ error: "{'json': {'data_patch': {0: {'op': ['Missing data for required field.']}}}}" });
      res = await t.patch(`/case/${c.id}/data/`, { token: other.token, body: PATCH });
      expect(res.status).to.equal(404);
      res = await t.patch(`/case/${c.id}/data/`, { token: viewer.token, body: PATCH });
      expect(res.status).to.equal(403);
      res = await t.patch(`/case/${c.id}/data/`, { body: PATCH });
      expect(res.status).to.equal(400);
      expect(await snapshot(t)).to.deep.equal(before);
    });
  });

  describe('copyCase', () => {
    it('copies to the root as Copy_<name> with identical hashes', async () => {
      const d = await dir(t, planner, 'd');
      const c = await mk(t, planner, { parent_id: d.id, solution: SOLUTION, kpis: { k: 1 } });
      let res = await t.post(`/case/${c.id}/copy/`, { token: planner.token });
      expect(res.status).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(CREATED_KEYS);
      expect(res.body.name).to.equal(`Copy_${CASE.name}`);
      expect(res.body.path).to.equal('');
      expect(res.body.data_hash).to.equal(c.data_hash);
      expect(res.body.solution_hash).to.equal(c.solution_hash);
      const copy = await t.get(`/case/${res.body.id}/data/`, { token: planner.token });
      expect(copy.body.kpis).to.deep.equal({ k: 1 });
      const before = await t.count('cases');
      res = await t.post(`/case/${c.id}/copy/`, { token: other.token });
      expect(res.status).to.equal(404);
      res = await t.post(`/case/${c.id}/copy/`, { token: viewer.token });
      expect(res.status).to.equal(403);
      expect(await t.count('cases')).to.equal(before);
    });
  });

  describe('createInstanceFromCase', () => {
    it('creates an instance with the case data and the same hash', async () => {
      const c = await mk(t, planner);
      let res = await t.post(`/case/${c.id}/instance/`, { token: planner.token });
      expect(res.status, res.text).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(['id', 'schema']);
      expect(res.body.schema).to.equal('solve_model_dag');
      const inst = await t.get(`/instance/${res.body.id}/`, { token: planner.token });
      expect(inst.body.name).to.equal(`instance_from_${CASE.name}`);
      expect(inst.body.description).to.equal(`Instance created from ${CASE.description}`);
      expect(inst.body.data_hash).to.equal(c.data_hash);
      const before = await t.count('instances');
      res = await t.post(`/case/${c.id}/instance/`, { token: other.token });
      expect(res.status).to.equal(404);
      res = await t.post(`/case/${c.id}/instance/`, { token: viewer.token });
      expect(res.status).to.equal(403);
      const d = await dir(t, planner, 'd');
      res = await t.post(`/case/${d.id}/instance/`, { token: planner.token });
      expect(res.status).to.equal(400);
      expect(await t.count('instances')).to.equal(before);
    });
  });

  describe('createCaseFromInstance', () => {
    it('from an instance and from an execution', async () => {
      const inst = await t.post('/instance/', { token: planner.token, body: { ...INSTANCE, checks: { ok: 1 } } });
      let res = await t.post('/case/instance/', { token: planner.token, body: { name: 'ci', schema: 'x', instance_id: inst.body.id } });
      expect(res.status, res.text).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(CREATED_KEYS);
      expect(res.body.data_hash).to.equal(inst.body.data_hash);
      expect(res.body.schema).to.equal(INSTANCE.schema);
      expect(res.body.solution_hash).to.equal(NULL_HASH);
      const now = '2024-05-06 10:11:12.123456';
      await t.knex('executions').insert({
        id: 'c'.repeat(40), name: 'run', data: JSON.stringify(SOLUTION), checks: '{"sc":1}', kpis: '{"k":1}', data_hash: 'h', schema: 'solve_model_dag',
        user_id: planner.id, instance_id: inst.body.id, config: '{}', state: 1, execution_files_status: 0, created_at: now, updated_at: now,
      });
      const d = await dir(t, planner, 'd');
      res = await t.post('/case/instance/', { token: planner.token, body: { name: 'ce', schema: 'x', execution_id: 'c'.repeat(40), parent_id: d.id } });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.path).to.equal(`${d.id}/`);
      const data = await t.get(`/case/${res.body.id}/data/`, { token: planner.token });
      expect(data.body.solution).to.deep.equal(SOLUTION);
      expect(data.body.checks).to.deep.equal({ ok: 1 });
      expect(data.body.solution_checks).to.deep.equal({ sc: 1 });
      expect(data.body.kpis).to.deep.equal({ k: 1 });
    });

    it('refuses both/neither ids, unknown or foreign ids, viewers; nothing stored', async () => {
      const inst = await t.post('/instance/', { token: planner.token, body: INSTANCE });
      const before = await t.count('cases');
      let res = await t.post('/case/instance/', { token: planner.token, body: { name: 'c', schema: 'x' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'You must provide a valid instance_id OR an execution_id' });
      res = await t.post('/case/instance/', { token: planner.token, body: { name: 'c', schema: 'x', instance_id: inst.body.id, execution_id: 'e' } });
      expect(res.status).to.equal(400);
      res = await t.post('/case/instance/', { token: other.token, body: { name: 'c', schema: 'x', instance_id: inst.body.id } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: 'Instance does not exist.' });
      res = await t.post('/case/instance/', { token: planner.token, body: { name: 'c', schema: 'x', execution_id: 'nope' } });
      expect(res.body).to.deep.equal({ error: 'Execution does not exist.' });
      res = await t.post('/case/instance/', { token: viewer.token, body: { name: 'c', schema: 'x', instance_id: inst.body.id } });
      expect(res.status).to.equal(403);
      res = await t.post('/case/instance/', { token: planner.token, body: { name: 'c', instance_id: inst.body.id } });
      expect(res.body).to.deep.equal({ error: "{'json': {'schema': ['Missing data for required field.']}}" });
      expect(await t.count('cases')).to.equal(before);
    });
  });

  describe('compareCases', () => {
    it('gives the patches that turn case 1 into case 2, with the flags', async () => {
      const c1 = await mk(t, planner);
      const c2 = await mk(t, planner, { ...CASE_2 });
      let res = await t.get(`/case/${c1.id}/${c2.id}/`, { token: planner.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(['data_patch', 'solution_patch']);
      expect(res.body.solution_patch).to.deep.equal([]);
      const sortOps = (ops: { path: string }[]) => [...ops].sort((a, b) => a.path.localeCompare(b.path));
      expect(sortOps(res.body.data_patch)).to.deep.equal(sortOps(PATCH.data_patch as { path: string }[]));
      res = await t.get(`/case/${c1.id}/${c2.id}/`, { token: planner.token, query: { solution: 'False' } });
      expect(Object.keys(res.body)).to.deep.equal(['data_patch']);
      res = await t.get(`/case/${c1.id}/${c2.id}/`, { token: planner.token, query: { data: '0', solution: 'no' } });
      expect(res.body).to.deep.equal({});
      res = await t.get(`/case/${c1.id}/${c2.id}/`, { token: planner.token, query: { data: 'maybe' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'query': {'data': ['Not a valid boolean.']}}" });
      res = await t.get(`/case/${c1.id}/${c2.id}/`, { token: viewer.token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: "You don't have access to the first case or it doesn't exist" });
    });

    it('lists, removals and additions; same ids, second missing, schema mismatch', async () => {
      const a = await mk(t, planner, { schema: 'free', data: { l: [1, 2, 3], k: 'x', gone: 1 }, solution: { v: 1.0 } });
      const sent = await t.raw().post('/case/').set('Authorization', `Bearer ${planner.token}`).set('Content-Type', 'application/json')
        .send('{"name":"b","schema":"free","data":{"l":[1,5],"k":"x","new":{"n":2.0}},"solution":{"v":1}}');
      const b = sent.body as { id: number };
      let res = await t.raw().get(`/case/${a.id}/${b.id}/`).set('Authorization', `Bearer ${planner.token}`);
      expect(res.status).to.equal(200);
      expect(res.body.data_patch).to.deep.equal([
        { op: 'remove', path: '/gone' },
        { op: 'add', path: '/new', value: { n: 2 } },
        { op: 'replace', path: '/l/1', value: 5 },
        { op: 'remove', path: '/l/2' },
      ]);
      expect(res.text).to.include('"value":{"n":2.0}');
      expect(res.body.solution_patch).to.deep.equal([]);
      res = await t.get(`/case/${a.id}/${a.id}/`, { token: planner.token });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The case identifiers should be different.' });
      res = await t.get(`/case/${a.id}/999999/`, { token: planner.token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal({ error: "You don't have access to the second case or it doesn't exist" });
      const c = await mk(t, planner);
      res = await t.get(`/case/${a.id}/${c.id}/`, { token: planner.token });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The cases asked to compare do not share the same schema' });
      res = await t.get(`/case/${a.id}/${c.id}/`, {});
      expect(res.status).to.equal(400);
    });
  });
});

forEachDatabase(
  'cases (OPEN_DEPLOYMENT=0)',
  (t) => {
    it('POST /case/ and /case/instance/ need access to the app', async () => {
      const planner = await t.user('planner');
      await t.knex('permission_dag').where({ user_id: planner.id }).del();
      let res = await t.post('/case/', { token: planner.token, body: CASE });
      expect(res.status).to.equal(403);
      res = await t.post('/case/instance/', { token: planner.token, body: { name: 'c', schema: 'solve_model_dag', instance_id: 'x' } });
      expect(res.status).to.equal(403);
      expect(await t.count('cases')).to.equal(0);
    });
  },
  { OPEN_DEPLOYMENT: '0' },
);
