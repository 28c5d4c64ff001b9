import { expect } from 'chai';
import { forEachDatabase } from './support/app.js';

const RFC1123 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const OPEN_APP = { id: 'tables_app', description: null, instance_schema: {}, solution_schema: {}, config_schema: {}, instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} };

forEachDatabase(
  'tables',
  (t) => {
    before(async () => {
      const { token } = await t.user('service');
      expect((await t.post('/dag/deployed/', { token, body: OPEN_APP })).status).to.equal(201);
    });
    describe('listTableRows', () => {
      it('lists users without password hashes, dates in RFC 1123, with limit and offset', async () => {
        const { token } = await t.user('service');
        for (let i = 0; i < 4; i++) await t.user('viewer');
        const res = await t.get('/table/users/', { token });
        expect(res.status).to.equal(200);
        expect(res.body.length).to.be.greaterThanOrEqual(5);
        for (const row of res.body) {
          expect(row).to.not.have.property('password');
          expect(row).to.include.keys('id', 'username', 'email', 'first_name', 'last_name', 'created_at', 'updated_at', 'deleted_at');
          expect(row.created_at).to.match(RFC1123);
          expect(row.deleted_at).to.equal(null);
        }
        expect(JSON.stringify(res.body)).to.not.match(/\$2[aby]\$/);
        const page = await t.get('/table/users/', { token, query: { limit: 3 } });
        expect(page.body.length).to.equal(3);
        const next = await t.get('/table/users/', { token, query: { limit: 2, offset: 1 } });
        expect(next.body.map((r: { id: number }) => r.id)).to.deep.equal(page.body.slice(1, 3).map((r: { id: number }) => r.id));
      });
      it('lists other tables: actions, roles, permission_view, alarms (soft-deleted left out)', async () => {
        const { token } = await t.user('service');
        const actions = await t.get('/table/actions/', { token });
        expect(actions.body.map((a: { id: number }) => a.id)).to.deep.equal([1, 2, 3, 4, 5]);
        expect((await t.get('/table/roles/', { token })).body.length).to.be.greaterThanOrEqual(5);
        const now = '2024-01-02 03:04:05.000000';
        await t.knex('alarms').insert([
          { name: 'live', criticality: 1, description: 'd', created_at: now, updated_at: now },
          { name: 'gone', criticality: 1, description: 'd', created_at: now, updated_at: now, deleted_at: now },
        ]);
        const alarms = await t.get('/table/alarms/', { token });
        expect(alarms.body.map((a: { name: string }) => a.name)).to.deep.equal(['live']);
        expect(alarms.body[0].created_at).to.equal('Tue, 02 Jan 2024 03:04:05 GMT');
        expect(alarms.body[0].criticality).to.equal(1);
      });
      it('parses JSON columns of instances', async () => {
        const { token } = await t.user('service');
        const inst = await t.post('/instance/', { token, body: { name: 'i', data: { a: [1, 2] }, schema: 'tables_app' } });
        expect(inst.status).to.equal(201);
        const rows = await t.get('/table/instances/', { token });
        const row = rows.body.find((r: { id: string }) => r.id === inst.body.id);
        expect(row.data).to.deep.equal({ a: [1, 2] });
      });
      it('answers 404 for an unknown table (cornflow: 500)', async () => {
        const { token } = await t.user('service');
        const res = await t.get('/table/nope/', { token });
        expect(res.status).to.equal(404);
        expect(res.body).to.deep.equal({ error: 'The table nope does not exist.' });
        expect((await t.get('/table/knex_migrations/', { token })).status).to.equal(404);
      });
      it('rejects a bad limit, no token (400) and non-service users (403)', async () => {
        const { token } = await t.user('service');
        expect((await t.get('/table/users/', { token, query: { limit: 'x' } })).status).to.equal(400);
        expect((await t.get('/table/users/', { token, query: { limit: -1 } })).status).to.equal(400);
        expect((await t.get('/table/users/')).status).to.equal(400);
        for (const role of ['viewer', 'planner', 'admin'] as const) {
          const u = await t.user(role);
          const res = await t.get('/table/users/', { token: u.token });
          expect(res.status, role).to.equal(403);
        }
      });
    });

    describe('getTableRow', () => {
      it('gets one row without secrets; string ids for instances', async () => {
        const svc = await t.user('service');
        const res = await t.get(`/table/users/${svc.id}/`, { token: svc.token });
        expect(res.status).to.equal(200);
        expect(res.body.username).to.equal(svc.username);
        expect(res.body).to.not.have.property('password');
        const inst = await t.post('/instance/', { token: svc.token, body: { name: 'j', data: { b: 1 }, schema: 'tables_app' } });
        const row = await t.get(`/table/instances/${inst.body.id}/`, { token: svc.token });
        expect(row.status).to.equal(200);
        expect(row.body.data).to.deep.equal({ b: 1 });
      });
      it('answers 400 for a non-integer id of an integer key, 404 for missing rows and tables, 403 to others', async () => {
        const svc = await t.user('service');
        const bad = await t.get('/table/users/abc/', { token: svc.token });
        expect(bad.status).to.equal(400);
        expect(bad.body).to.deep.equal({ error: 'Invalid identifier.' });
        expect((await t.get('/table/users/999999/', { token: svc.token })).status).to.equal(404);
        expect((await t.get('/table/instances/nope/', { token: svc.token })).status).to.equal(404);
        expect((await t.get('/table/nope/1/', { token: svc.token })).status).to.equal(404);
        const admin = await t.user('admin');
        expect((await t.get(`/table/users/${svc.id}/`, { token: admin.token })).status).to.equal(403);
        expect((await t.get(`/table/users/${svc.id}/`)).status).to.equal(400);
      });
    });
  },
  { CF_ALARMS_ENDPOINT: '1' },
);
