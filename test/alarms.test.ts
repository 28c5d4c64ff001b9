import { expect } from 'chai';
import { forEachDatabase } from './support/app.js';

const NO_ENDPOINT = { error: 'You do not have permission to access this endpoint' };
const MISSING = { error: 'The data entity does not exist on the database' };
const ALARM = { name: 'Slow solver', criticality: 0.5, description: 'The solver takes too long', schema: 'solve_model_dag' };

forEachDatabase(
  'alarms',
  (t) => {
    describe('createAlarm / listAlarms / getAlarm', () => {
      it('creates alarms (201) and lists the live ones with the criticality filter; schema is ignored', async () => {
        const { token } = await t.user('planner');
        const a = await t.post('/alarms/', { token, body: ALARM });
        expect(a.status).to.equal(201);
        expect(a.body).to.deep.equal({ ...ALARM, id: a.body.id });
        const b = await t.post('/alarms/', { token, body: { name: 'b', criticality: 2, description: 'd' } });
        expect(b.status).to.equal(201);
        expect(b.body.schema).to.equal(null);
        const all = await t.get('/alarms/', { token });
        expect(all.status).to.equal(200);
        expect(all.body.map((x: { id: number }) => x.id)).to.include.members([a.body.id, b.body.id]);
        const crit = await t.get('/alarms/', { token, query: { criticality: 2 } });
        expect(crit.body.every((x: { criticality: number }) => x.criticality === 2)).to.equal(true);
        expect(crit.body.map((x: { id: number }) => x.id)).to.include(b.body.id);
        const ignored = await t.get('/alarms/', { token, query: { schema: 'nothing' } });
        expect(ignored.body.length).to.equal(all.body.length);
        expect((await t.get(`/alarms/${a.body.id}/`, { token })).body).to.deep.equal(a.body);
      });
      it('lets viewers read but not write', async () => {
        const { token } = await t.user('viewer');
        expect((await t.get('/alarms/', { token })).status).to.equal(200);
        const res = await t.post('/alarms/', { token, body: ALARM });
        expect(res.status).to.equal(403);
        expect(res.body).to.deep.equal(NO_ENDPOINT);
      });
      it('answers 403 to users without a role and 400 without a valid token', async () => {
        const { token } = await t.user('dummy');
        expect((await t.get('/alarms/', { token })).status).to.equal(403);
        expect((await t.get('/alarms/')).status).to.equal(400);
        expect((await t.get('/alarms/', { token: 'nonsense' })).status).to.equal(400);
      });
      it('rejects bad bodies and queries without writing', async () => {
        const { token } = await t.user('planner');
        const before = await t.count('alarms');
        let res = await t.post('/alarms/', { token, body: { name: 'x', criticality: 1 } });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: "{'json': {'description': ['Missing data for required field.']}}" });
        res = await t.post('/alarms/', { token, body: { ...ALARM, criticality: 'high' } });
        expect(res.status).to.equal(400);
        res = await t.post('/alarms/', { token, body: { ...ALARM, extra: 1 } });
        expect(res.status).to.equal(400);
        expect(await t.count('alarms')).to.equal(before);
        expect((await t.get('/alarms/', { token, query: { criticality: 'high' } })).status).to.equal(400);
        // <int:idx> in cornflow: a non-integer id does not match the route.
        expect((await t.get('/alarms/abc/', { token })).status).to.equal(404);
        expect((await t.get('/alarms/999999/', { token })).body).to.deep.equal(MISSING);
      });
    });

    describe('updateAlarm / deleteAlarm', () => {
      it('edits partially, then soft-deletes (hidden, row kept, deleted again without error)', async () => {
        const { token } = await t.user('admin');
        const a = (await t.post('/alarms/', { token, body: ALARM })).body;
        const put = await t.put(`/alarms/${a.id}/`, { token, body: { criticality: 3 } });
        expect(put.status).to.equal(200);
        expect(put.body).to.deep.equal({ message: 'Updated correctly' });
        expect((await t.get(`/alarms/${a.id}/`, { token })).body).to.deep.equal({ ...a, criticality: 3 });
        const updatedAt = (await t.knex('alarms').where({ id: a.id }).first()).updated_at;
        const del = await t.delete(`/alarms/${a.id}/`, { token });
        expect(del.status).to.equal(200);
        expect(del.body).to.deep.equal({ message: 'Object marked as disabled' });
        const row = await t.knex('alarms').where({ id: a.id }).first();
        expect(row.deleted_at).to.not.equal(null);
        expect(String(row.updated_at)).to.equal(String(updatedAt));
        expect((await t.get(`/alarms/${a.id}/`, { token })).status).to.equal(404);
        expect((await t.put(`/alarms/${a.id}/`, { token, body: { name: 'z' } })).status).to.equal(404);
        expect((await t.get('/alarms/', { token })).body.map((x: { id: number }) => x.id)).to.not.include(a.id);
        expect((await t.delete(`/alarms/${a.id}/`, { token })).status).to.equal(200);
      });
      it('answers 404 for unknown ids, 400 for bad bodies, 403 to viewers', async () => {
        const { token } = await t.user('planner');
        const del = await t.delete('/alarms/999999/', { token });
        expect(del.status).to.equal(404);
        expect(del.body).to.deep.equal({ error: 'Object with id 999999 not found.' });
        const a = (await t.post('/alarms/', { token, body: ALARM })).body;
        const res = await t.put(`/alarms/${a.id}/`, { token, body: { criticality: 'x' } });
        expect(res.status).to.equal(400);
        expect((await t.get(`/alarms/${a.id}/`, { token })).body).to.deep.equal(a);
        const viewer = await t.user('viewer');
        expect((await t.put(`/alarms/${a.id}/`, { token: viewer.token, body: { name: 'v' } })).status).to.equal(403);
        expect((await t.delete(`/alarms/${a.id}/`, { token: viewer.token })).status).to.equal(403);
      });
    });

    describe('createMainAlarm / listMainAlarms', () => {
      it('creates main alarms and filters them by id_alarm and criticality', async () => {
        const { token } = await t.user('service');
        const a = (await t.post('/alarms/', { token, body: ALARM })).body;
        const m = await t.post('/main-alarms/', { token, body: { id_alarm: a.id, criticality: 1.5, message: 'm' } });
        expect(m.status).to.equal(201);
        expect(m.body).to.deep.equal({ id_alarm: a.id, criticality: 1.5, message: 'm', schema: null, id: m.body.id });
        const list = await t.get('/main-alarms/', { token, query: { id_alarm: a.id } });
        expect(list.body).to.deep.equal([m.body]);
        expect((await t.get('/main-alarms/', { token, query: { id_alarm: a.id, criticality: 9 } })).body).to.deep.equal([]);
      });
      it('rejects an unknown alarm with the integrity message and writes nothing', async () => {
        const { token } = await t.user('planner');
        const before = await t.count('main_alarms');
        const res = await t.post('/main-alarms/', { token, body: { id_alarm: 999999, criticality: 1, message: 'm' } });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: 'Integrity error on saving with data <Main_Alarms None>' });
        expect((await t.post('/main-alarms/', { token, body: { criticality: 1, message: 'm' } })).status).to.equal(400);
        expect(await t.count('main_alarms')).to.equal(before);
      });
      it('answers 403 to viewers writing and 400 without a token', async () => {
        const { token } = await t.user('viewer');
        expect((await t.get('/main-alarms/', { token })).status).to.equal(200);
        expect((await t.post('/main-alarms/', { token, body: { id_alarm: 1, criticality: 1, message: 'm' } })).status).to.equal(403);
        expect((await t.get('/main-alarms/')).status).to.equal(400);
      });
    });
  },
  { CF_ALARMS_ENDPOINT: '1' },
);

forEachDatabase('alarms disabled', (t) => {
  it('has no alarm routes when CF_ALARMS_ENDPOINT is not true', async () => {
    const { token } = await t.user('admin');
    for (const url of ['/alarms/', '/alarms/1/', '/main-alarms/']) {
      const res = await t.raw().get(url).set('Authorization', `Bearer ${token}`);
      expect(res.status, url).to.equal(404);
    }
  });
}, { CF_ALARMS_ENDPOINT: '0' });
