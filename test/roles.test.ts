import { expect } from 'chai';
import { forEachDatabase, type TestApp } from './support/app.js';

const NO_ENDPOINT = { error: 'You do not have permission to access this endpoint' };
const MISSING = { error: 'The data entity does not exist on the database' };
const EXISTS = { error: 'The object does exist already' };

const adminToken = (t: TestApp) => t.login('cornflow_admin', 'Cornflow_admin1234');

/** Every role without access gets cornflow's 403. */
async function deniedTo(t: TestApp, roles: ('dummy' | 'viewer' | 'planner' | 'service')[], call: (token: string) => Promise<{ status: number; body: unknown }>) {
  for (const role of roles) {
    const u = await t.user(role);
    const res = await call(u.token);
    expect(res.status, role).to.equal(403);
    expect(res.body, role).to.deep.equal(NO_ENDPOINT);
  }
}

const NON_ADMIN = ['dummy', 'viewer', 'planner', 'service'] as const;

forEachDatabase('roles', (t) => {
  describe('listRoles', () => {
    it("lists cornflow's five roles", async () => {
      const res = await t.get('/roles/', { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body.slice(0, 5)).to.deep.equal([
        { name: 'dummy', id: 0 }, { name: 'viewer', id: 1 }, { name: 'planner', id: 2 }, { name: 'admin', id: 3 }, { name: 'service', id: 4 },
      ]);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/roles/', { token })));
  });

  describe('createRole', () => {
    it('creates a role with the next id', async () => {
      const res = await t.post('/roles/', { token: await adminToken(t), body: { name: 'auditor' } });
      expect(res.status).to.equal(201);
      expect(Object.keys(res.body)).to.deep.equal(['name', 'id']);
      expect(res.body.name).to.equal('auditor');
      expect(res.body.id).to.be.greaterThan(4);
      expect((await t.get(`/roles/${res.body.id}/`, { token: await adminToken(t) })).body).to.deep.equal(res.body);
    });
    it('rejects missing, unknown and mistyped fields', async () => {
      const token = await adminToken(t);
      let res = await t.post('/roles/', { token, body: {} });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'name': ['Missing data for required field.']}}" });
      res = await t.post('/roles/', { token, body: { name: 'x', id: 99 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'id': ['Unknown field.']}}" });
      res = await t.post('/roles/', { token, body: { name: 5 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'name': ['Not a valid string.']}}" });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.post('/roles/', { token, body: { name: 'x' } })));
  });

  describe('getRole', () => {
    it('gets one role, 404 when missing', async () => {
      const token = await adminToken(t);
      expect((await t.get('/roles/2/', { token })).body).to.deep.equal({ name: 'planner', id: 2 });
      const res = await t.get('/roles/9999/', { token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal(MISSING);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/roles/1/', { token })));
  });

  describe('updateRole', () => {
    it('renames a role', async () => {
      const token = await adminToken(t);
      const created = await t.post('/roles/', { token, body: { name: 'temp' } });
      const res = await t.put(`/roles/${created.body.id}/`, { token, body: { name: 'renamed' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Updated correctly' });
      expect((await t.get(`/roles/${created.body.id}/`, { token })).body.name).to.equal('renamed');
    });
    it("answers cornflow's integrity error for a taken id, and changes nothing", async () => {
      const token = await adminToken(t);
      const created = await t.post('/roles/', { token, body: { name: 'clash' } });
      const res = await t.put(`/roles/${created.body.id}/`, { token, body: { id: 2 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Integrity error on updating with data <Role clash>' });
      expect((await t.get('/roles/2/', { token })).body.name).to.equal('planner');
    });
    it('answers 404 when missing, 400 for bad input', async () => {
      const token = await adminToken(t);
      expect((await t.put('/roles/9999/', { token, body: { name: 'x' } })).status).to.equal(404);
      const res = await t.put('/roles/2/', { token, body: { name: 'x', color: 'red' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'color': ['Unknown field.']}}" });
      expect((await t.put('/roles/2/', { token, body: { id: 'two' } })).body).to.deep.equal({ error: "{'json': {'id': ['Not a valid integer.']}}" });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.put('/roles/2/', { token, body: { name: 'x' } })));
  });

  describe('deleteRole', () => {
    it('answers 501: roles can not be deleted', async () => {
      const res = await t.delete('/roles/2/', { token: await adminToken(t) });
      expect(res.status).to.equal(501);
      expect(res.body).to.deep.equal({ error: 'Roles can not be deleted' });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.delete('/roles/2/', { token })));
  });

  describe('listUserRoles', () => {
    it('shows every assignment to an admin and only their own to others', async () => {
      const p = await t.user('planner');
      const all = await t.get('/user/role/', { token: await adminToken(t) });
      expect(all.status).to.equal(200);
      expect(all.body.length).to.be.greaterThan(2);
      const mine = all.body.find((r: { user_id: number }) => r.user_id === p.id);
      expect(Object.keys(mine)).to.deep.equal(['user_id', 'role_id', 'id', 'user', 'role']);
      expect(mine).to.include({ role_id: 2, user: p.username, role: 'planner' });
      for (const role of NON_ADMIN) {
        const u = await t.user(role);
        const res = await t.get('/user/role/', { token: u.token });
        expect(res.status, role).to.equal(200);
        expect(res.body.map((r: { user_id: number }) => r.user_id)).to.deep.equal([u.id]);
      }
    });
    it('answers 400 without a token', async () => {
      expect((await t.get('/user/role/')).status).to.equal(400);
    });
  });

  describe('createUserRole', () => {
    it('assigns a role, which applies on the next request', async () => {
      const v = await t.user('viewer');
      expect((await t.get('/user/', { token: v.token })).status).to.equal(403);
      const res = await t.post('/user/role/', { token: await adminToken(t), body: { user_id: v.id, role_id: 3 } });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ user_id: v.id, role_id: 3, user: v.username, role: 'admin' });
      expect((await t.get('/user/', { token: v.token })).status).to.equal(200);
    });
    it('answers 400 for an existing assignment and for unknown users or roles', async () => {
      const token = await adminToken(t);
      const v = await t.user('viewer');
      let res = await t.post('/user/role/', { token, body: { user_id: v.id, role_id: 1 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal(EXISTS);
      res = await t.post('/user/role/', { token, body: { user_id: 999999, role_id: 1 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Integrity error on saving with data 999999 has role 1' });
      res = await t.post('/user/role/', { token, body: { user_id: v.id, role_id: 77 } });
      expect(res.body).to.deep.equal({ error: `Integrity error on saving with data ${v.id} has role 77` });
    });
    it('rejects missing, unknown and mistyped fields', async () => {
      const token = await adminToken(t);
      let res = await t.post('/user/role/', { token, body: { user_id: 1 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'role_id': ['Missing data for required field.']}}" });
      res = await t.post('/user/role/', { token, body: { user_id: 'x', role_id: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'user_id': ['Not a valid integer.']}}" });
      res = await t.post('/user/role/', { token, body: { user_id: 1, role_id: 1, admin_id: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'admin_id': ['Unknown field.']}}" });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.post('/user/role/', { token, body: { user_id: 1, role_id: 3 } })));
  });

  describe('getUserRole', () => {
    it('gets one assignment; a missing one is 404 (cornflow: 500)', async () => {
      const token = await adminToken(t);
      const p = await t.user('planner');
      let res = await t.get(`/user/role/${p.id}/2/`, { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ user_id: p.id, role_id: 2, user: p.username, role: 'planner' });
      res = await t.get(`/user/role/${p.id}/3/`, { token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal(MISSING);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/user/role/1/3/', { token })));
  });

  describe('deleteUserRole', () => {
    it('removes an assignment, which applies on the next request', async () => {
      const a = await t.user('admin');
      expect((await t.get('/user/', { token: a.token })).status).to.equal(200);
      const res = await t.delete(`/user/role/${a.id}/3/`, { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The object has been deleted' });
      expect((await t.get('/user/', { token: a.token })).status).to.equal(403);
      expect((await t.delete(`/user/role/${a.id}/3/`, { token: await adminToken(t) })).status).to.equal(404);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.delete('/user/role/1/3/', { token })));
  });

  describe('listActions', () => {
    it('lists the actions with spaces', async () => {
      const res = await t.get('/action/', { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal([
        { id: 1, name: 'can get' }, { id: 2, name: 'can patch' }, { id: 3, name: 'can post' }, { id: 4, name: 'can put' }, { id: 5, name: 'can delete' },
      ]);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/action/', { token })));
  });

  describe('listApiViews', () => {
    it('lists the views with their url rules and descriptions', async () => {
      const res = await t.get('/apiview/', { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body).to.have.length(54);
      expect(res.body.find((v: { name: string }) => v.name === 'roles')).to.include({ url_rule: '/roles/', description: 'Endpoint to get or create the current roles in the application' });
      expect(res.body.find((v: { name: string }) => v.name === 'user-detail')).to.include({ url_rule: '/user/<int:user_id>/', description: '' });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/apiview/', { token })));
  });

  describe('listPermissions', () => {
    it("lists cornflow's seeded (role, action, view) triples, compressed", async () => {
      const res = await t.get('/permission/', { token: await adminToken(t), headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.status).to.equal(200);
      // supertest inflates the body; the header shows it travelled compressed.
      expect(res.headers['content-encoding']).to.equal('gzip');
      const body = res.body;
      expect(body).to.have.length(584);
      expect(Object.keys(body[0])).to.deep.equal(['id', 'action_id', 'action', 'api_view_id', 'api_view', 'role_id', 'role']);
      const triples = new Set(body.map((p: { role: string; action: string; api_view: string }) => `${p.role}|${p.action}|${p.api_view}`));
      expect(triples.has('dummy|can put|user-detail')).to.equal(true);
      expect(triples.has('viewer|can get|instance')).to.equal(true);
      expect(triples.has('viewer|can post|instance')).to.equal(false);
      expect(triples.has('admin|can post|signup')).to.equal(true);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/permission/', { token })));
  });

  describe('createPermission', () => {
    it('grants a permission that applies on the next request', async () => {
      const token = await adminToken(t);
      const p = await t.user('planner');
      expect((await t.get('/action/', { token: p.token })).status).to.equal(403);
      const view = await t.knex('api_view').where({ name: 'actions' }).first();
      const res = await t.post('/permission/', { token, body: { action_id: 1, role_id: 2, api_view_id: Number(view.id) } });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ action_id: 1, action: 'can get', api_view_id: Number(view.id), api_view: 'actions', role_id: 2, role: 'planner' });
      expect((await t.get('/action/', { token: p.token })).status).to.equal(200);
      await t.delete(`/permission/${res.body.id}/`, { token });
      expect((await t.get('/action/', { token: p.token })).status).to.equal(403);
    });
    it('answers 400 for an existing permission and for unknown references', async () => {
      const token = await adminToken(t);
      const view = await t.knex('api_view').where({ name: 'instance' }).first();
      let res = await t.post('/permission/', { token, body: { action_id: 1, role_id: 1, api_view_id: Number(view.id) } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal(EXISTS);
      res = await t.post('/permission/', { token, body: { action_id: 9, role_id: 1, api_view_id: Number(view.id) } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: `Integrity error on saving with data <Permission role: 1, action: 9, view: ${view.id}>` });
    });
    it('rejects missing, unknown and mistyped fields', async () => {
      const token = await adminToken(t);
      let res = await t.post('/permission/', { token, body: { action_id: 1, role_id: 1 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'api_view_id': ['Missing data for required field.']}}" });
      res = await t.post('/permission/', { token, body: { action_id: 'get', role_id: 1, api_view_id: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'action_id': ['Not a valid integer.']}}" });
      res = await t.post('/permission/', { token, body: { action_id: 1, role_id: 1, api_view_id: 1, role: 'x' } });
      expect(res.body).to.deep.equal({ error: "{'json': {'role': ['Unknown field.']}}" });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.post('/permission/', { token, body: { action_id: 1, role_id: 1, api_view_id: 1 } })));
  });

  describe('getPermission', () => {
    it('gets one permission, 404 when missing', async () => {
      const token = await adminToken(t);
      const first = await t.knex('permission_view').orderBy('id').first();
      const res = await t.get(`/permission/${first.id}/`, { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: Number(first.id), role_id: Number(first.role_id), action_id: Number(first.action_id) });
      expect((await t.get('/permission/999999/', { token })).status).to.equal(404);
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.get('/permission/1/', { token })));
  });

  describe('updatePermission', () => {
    it('changes a permission, which applies on the next request', async () => {
      const token = await adminToken(t);
      const v = await t.user('viewer');
      const view = await t.knex('api_view').where({ name: 'actions' }).first();
      const created = await t.post('/permission/', { token, body: { action_id: 3, role_id: 1, api_view_id: Number(view.id) } });
      expect((await t.get('/action/', { token: v.token })).status).to.equal(403);
      const res = await t.put(`/permission/${created.body.id}/`, { token, body: { action_id: 1 } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Updated correctly' });
      expect((await t.get('/action/', { token: v.token })).status).to.equal(200);
      await t.delete(`/permission/${created.body.id}/`, { token });
    });
    it("answers cornflow's integrity error for a duplicate or an unknown id, and changes nothing", async () => {
      const token = await adminToken(t);
      const view = await t.knex('api_view').where({ name: 'instance' }).first();
      const row = await t.knex('permission_view').where({ role_id: 2, action_id: 3, api_view_id: view.id }).first();
      let res = await t.put(`/permission/${row.id}/`, { token, body: { action_id: 1 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: `Integrity error on updating with data <Permission role: 2, action: 1, view: ${view.id}>` });
      res = await t.put(`/permission/${row.id}/`, { token, body: { role_id: 55 } });
      expect(res.body).to.deep.equal({ error: `Integrity error on updating with data <Permission role: 55, action: 3, view: ${view.id}>` });
      expect(Number((await t.knex('permission_view').where({ id: row.id }).first()).action_id)).to.equal(3);
    });
    it('answers 404 when missing, 400 for bad input', async () => {
      const token = await adminToken(t);
      expect((await t.put('/permission/999999/', { token, body: { action_id: 1 } })).status).to.equal(404);
      const res = await t.put('/permission/1/', { token, body: { action: 'can get' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'action': ['Unknown field.']}}" });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.put('/permission/1/', { token, body: { action_id: 1 } })));
  });

  describe('deletePermission', () => {
    it('revokes a permission on the next request; 404 when missing', async () => {
      const token = await adminToken(t);
      const v = await t.user('viewer');
      const view = await t.knex('api_view').where({ name: 'licences' }).first();
      const row = await t.knex('permission_view').where({ role_id: 1, action_id: 1, api_view_id: view.id }).first();
      expect((await t.get('/licences/', { token: v.token })).status).to.equal(200);
      const res = await t.delete(`/permission/${row.id}/`, { token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The object has been deleted' });
      expect((await t.get('/licences/', { token: v.token })).status).to.equal(403);
      expect((await t.delete(`/permission/${row.id}/`, { token })).status).to.equal(404);
      // Restored for the other tests.
      await t.post('/permission/', { token, body: { role_id: 1, action_id: 1, api_view_id: Number(view.id) } });
    });
    it('answers 403 to non-admins', async () => deniedTo(t, [...NON_ADMIN], (token) => t.delete('/permission/1/', { token })));
  });

  describe('listLicences', () => {
    it('lists the runtime dependencies with cornflow\'s keys, sorted by lower-cased name', async () => {
      const v = await t.user('viewer');
      const res = await t.get('/licences/', { token: v.token });
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body[0])).to.deep.equal(['library', 'license', 'version', 'author', 'description', 'home page']);
      const names = res.body.map((l: { library: string }) => l.library);
      expect(names).to.include.members(['express', 'knex', 'nodemailer', 'pg']);
      // Transitive dependencies too (express → body-parser), never dev dependencies.
      expect(names).to.include('body-parser');
      expect(names).to.not.include('mocha');
      const lower = names.map((n: string) => n.toLowerCase());
      expect(lower).to.deep.equal([...lower].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
      const express = res.body.find((l: { library: string }) => l.library === 'express');
      expect(express.license).to.equal('MIT');
      expect(res.body.some((l: { author: string }) => l.author === '(Author not found)')).to.equal(true);
    });
    it('answers 403 to dummy and service', async () => deniedTo(t, ['dummy', 'service'], (token) => t.get('/licences/', { token })));
  });
});

forEachDatabase(
  'roles under LDAP',
  (t) => {
    it('answers 501 to creating or editing roles and role assignments', async () => {
      const admin = await t.user('admin');
      const p = await t.user('planner');
      t.deps.config.authType = 'ldap';
      try {
        const cases: [() => Promise<{ status: number; body: unknown }>, string][] = [
          [() => t.post('/roles/', { token: admin.token, body: { name: 'x' } }), 'The roles have to be created in the directory.'],
          [() => t.put('/roles/2/', { token: admin.token, body: { name: 'x' } }), 'The roles have to be modified in the directory.'],
          [() => t.post('/user/role/', { token: admin.token, body: { user_id: p.id, role_id: 1 } }), 'The role assignments have to be created in the directory'],
          [() => t.delete(`/user/role/${p.id}/2/`, { token: admin.token }), 'The roles have to be deleted in the directory.'],
        ];
        for (const [call, error] of cases) {
          const res = await call();
          expect(res.status, error).to.equal(501);
          expect(res.body).to.deep.equal({ error });
        }
        expect((await t.get('/roles/2/', { token: admin.token })).body.name).to.equal('planner');
      } finally {
        t.deps.config.authType = 'db';
      }
    });
  },
);

forEachDatabase(
  'permissions with signup and alarms on',
  (t) => {
    it('lists 632 permissions after start-up', async () => {
      const res = await t.get('/permission/', { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body).to.have.length(632);
    });
  },
  { CF_ALARMS_ENDPOINT: '1' },
);
