import { expect } from 'chai';
import { forEachDatabase, type TestApp } from './support/app.js';
import { SmtpListener } from './support/smtp.js';
import { prepare } from '../src/bootstrap.js';

const NO_ENDPOINT = { error: 'You do not have permission to access this endpoint' };
const NO_OBJECT = { error: 'You have no permission to access the required object' };
const MISSING = { error: 'The data entity does not exist on the database' };
const NOW = '2024-01-01 00:00:00';

const adminToken = (t: TestApp) => t.login('cornflow_admin', 'Cornflow_admin1234');

/** An instance of `ownerId` with one execution of `execOwnerId` on it, and a case of `ownerId`. */
async function ownedData(t: TestApp, ownerId: number, execOwnerId: number, tag: string) {
  const base = { data: '{}', name: tag, data_hash: 'h', user_id: ownerId, created_at: NOW, updated_at: NOW };
  await t.knex('instances').insert({ ...base, id: `inst_${tag}` });
  await t.knex('executions').insert({ ...base, id: `exec_${tag}`, user_id: execOwnerId, instance_id: `inst_${tag}`, config: '{}', state: 0, execution_files_status: 0 });
  await t.knex('cases').insert({ ...base, path: '', solution_hash: 'h' });
}

forEachDatabase('users', (t) => {
  describe('listUsers', () => {
    it('lists users for an admin, created_at in Python str() form, no password', async () => {
      const u = await t.user('planner');
      const res = await t.get('/user/', { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      const item = res.body.find((x: { id: number }) => x.id === u.id);
      expect(Object.keys(item)).to.deep.equal(['id', 'username', 'first_name', 'last_name', 'email', 'created_at', 'pwd_last_change']);
      expect(item).to.include({ username: u.username, email: u.email, first_name: null, last_name: null });
      expect(item.created_at).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$/);
      expect(item.pwd_last_change).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
      expect(res.text).to.not.match(/\$2[aby]\$/);
    });

    it('answers 403 to viewer, planner and service', async () => {
      for (const role of ['viewer', 'planner', 'service'] as const) {
        const u = await t.user(role);
        const res = await t.get('/user/', { token: u.token });
        expect(res.status, role).to.equal(403);
        expect(res.body).to.deep.equal(NO_ENDPOINT);
      }
    });

    it('answers 400 without a token', async () => {
      const res = await t.get('/user/');
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Authorization header is missing' });
    });
  });

  describe('getUser', () => {
    it('gives a user their own profile (every role, dummy included)', async () => {
      for (const role of ['dummy', 'viewer', 'planner', 'service'] as const) {
        const u = await t.user(role);
        const res = await t.get(`/user/${u.id}/`, { token: u.token });
        expect(res.status, role).to.equal(200);
        expect(Object.keys(res.body)).to.deep.equal(['id', 'first_name', 'last_name', 'username', 'email', 'pwd_last_change']);
        expect(res.body).to.include({ id: u.id, username: u.username, email: u.email });
      }
    });

    it('lets an admin read anyone', async () => {
      const u = await t.user('planner');
      const res = await t.get(`/user/${u.id}/`, { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body.username).to.equal(u.username);
    });

    it("answers cornflow's 400 to a non-admin reading another user", async () => {
      const [a, b] = [await t.user('planner'), await t.user('planner')];
      const res = await t.get(`/user/${b.id}/`, { token: a.token });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'You have no permission to access given user' });
    });

    it('answers 404 for a missing user and for a non-integer id', async () => {
      const token = await adminToken(t);
      let res = await t.get('/user/999999/', { token });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal(MISSING);
      res = await t.get('/user/abc/', { token });
      expect(res.status).to.equal(404);
    });
  });

  describe('updateUser', () => {
    it('changes own names, e-mail and password; the new password logs in', async () => {
      const u = await t.user('viewer');
      const before = await t.knex('users').where({ id: u.id }).first();
      const res = await t.put(`/user/${u.id}/`, { token: u.token, body: { first_name: 'Ana', last_name: 'Ruiz', email: `new_${u.email}`, password: 'Newpass12!' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Updated correctly' });
      const row = await t.knex('users').where({ id: u.id }).first();
      expect(row).to.include({ first_name: 'Ana', last_name: 'Ruiz', email: `new_${u.email}` });
      expect(row.password).to.not.equal(before.password);
      expect(String(row.pwd_last_change) >= String(before.pwd_last_change)).to.equal(true);
      expect((await t.post('/login/', { body: { username: u.username, password: 'Newpass12!' } })).status).to.equal(200);
      expect((await t.post('/login/', { body: { username: u.username, password: u.password } })).status).to.equal(400);
    });

    it('lets a dummy-role user edit themselves and an admin edit anyone, username included', async () => {
      const d = await t.user('dummy');
      expect((await t.put(`/user/${d.id}/`, { token: d.token, body: { first_name: 'D' } })).status).to.equal(200);
      const p = await t.user('planner');
      const res = await t.put(`/user/${p.id}/`, { token: await adminToken(t), body: { username: `${p.username}_renamed` } });
      expect(res.status).to.equal(200);
      expect((await t.knex('users').where({ id: p.id }).first()).username).to.equal(`${p.username}_renamed`);
    });

    it('answers 403 to a non-admin editing another user, and changes nothing', async () => {
      const [a, b] = [await t.user('planner'), await t.user('planner')];
      const res = await t.put(`/user/${b.id}/`, { token: a.token, body: { first_name: 'Hacked' } });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(NO_OBJECT);
      expect((await t.knex('users').where({ id: b.id }).first()).first_name).to.equal(null);
    });

    it('answers 404 for a missing user (admin)', async () => {
      const res = await t.put('/user/999999/', { token: await adminToken(t), body: { first_name: 'x' } });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal(MISSING);
    });

    it('applies the password policy and the e-mail rules', async () => {
      const u = await t.user('planner');
      const cases: [Record<string, string>, string][] = [
        [{ password: 'Ab1!' }, 'Password must contain at least 5 characters.'],
        [{ password: 'abcdef1!' }, 'Password must contain uppercase and lowercase letters.'],
        [{ password: 'Abcdefg!' }, 'Password must contain at least one number and one special character.'],
        [{ password: 'Abcdefg1' }, 'Password must contain at least one number and one special character.'],
        [{ email: 'not-an-email' }, 'Invalid email address.'],
        [{ email: 'someone@mailinator.com' }, 'Invalid email address'],
      ];
      for (const [body, error] of cases) {
        const res = await t.put(`/user/${u.id}/`, { token: u.token, body });
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body).to.deep.equal({ error });
      }
    });

    it("answers cornflow's integrity error for a taken username or e-mail, and changes nothing", async () => {
      const [a, b] = [await t.user('planner'), await t.user('planner')];
      let res = await t.put(`/user/${a.id}/`, { token: a.token, body: { username: b.username, first_name: 'Changed' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: `Integrity error on updating with data <Username ${b.username}>` });
      res = await t.put(`/user/${a.id}/`, { token: a.token, body: { email: b.email, first_name: 'Changed' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: `Integrity error on updating with data <Username ${a.username}>` });
      const row = await t.knex('users').where({ id: a.id }).first();
      expect(row).to.include({ username: a.username, email: a.email, first_name: null });
    });

    it('rejects unknown fields and wrong types', async () => {
      const u = await t.user('planner');
      let res = await t.put(`/user/${u.id}/`, { token: u.token, body: { role: 3 } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'role': ['Unknown field.']}}" });
      res = await t.put(`/user/${u.id}/`, { token: u.token, body: { first_name: 5 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'first_name': ['Not a valid string.']}}" });
      res = await t.put(`/user/${u.id}/`, { token: u.token, body: { email: null } });
      expect(res.body).to.deep.equal({ error: "{'json': {'email': ['Field may not be null.']}}" });
    });
  });

  describe('deleteUser', () => {
    it('deletes a user with roles, DAG permissions, instances, executions and cases, in one go', async () => {
      const victim = await t.user('planner');
      const other = await t.user('planner');
      await t.knex('deployed_workflows').insert({ id: 'del_dag', created_at: NOW, updated_at: NOW }).onConflict('id').ignore();
      await t.knex('permission_dag').insert({ dag_id: 'del_dag', user_id: victim.id, created_at: NOW, updated_at: NOW }).onConflict(['dag_id', 'user_id']).ignore();
      await ownedData(t, victim.id, victim.id, 'v1');
      // cornflow fails here: the victim's execution on someone else's instance, and someone else's on the victim's.
      await ownedData(t, other.id, victim.id, 'o1');
      await ownedData(t, victim.id, other.id, 'v2');
      const res = await t.delete(`/user/${victim.id}/`, { token: await adminToken(t) });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'The object has been deleted' });
      for (const table of ['users', 'user_role', 'permission_dag', 'instances', 'cases']) {
        const column = table === 'users' ? 'id' : 'user_id';
        expect(await t.knex(table).where(column, victim.id), table).to.have.length(0);
      }
      expect(await t.knex('executions').where({ user_id: victim.id })).to.have.length(0);
      expect(await t.knex('executions').where({ id: 'exec_v2' })).to.have.length(0);
      // The other user's instance stays.
      expect(await t.knex('instances').where({ id: 'inst_o1' })).to.have.length(1);
      expect((await t.post('/login/', { body: { username: victim.username, password: victim.password } })).status).to.equal(400);
    });

    it('lets users delete themselves', async () => {
      const u = await t.user('planner');
      const res = await t.delete(`/user/${u.id}/`, { token: u.token });
      expect(res.status).to.equal(200);
    });

    it('leaves everything as it was when the delete fails', async function () {
      const u = await t.user('planner');
      await ownedData(t, u.id, u.id, 'keep');
      // Something cornflow-ts does not know about still references the user.
      await t.knex.schema.createTable('blocker', (tb) => tb.integer('user_id').references('id').inTable('users'));
      try {
        await t.knex('blocker').insert({ user_id: u.id });
        const res = await t.delete(`/user/${u.id}/`, { token: await adminToken(t) });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: `Integrity error on deleting with data <Username ${u.username}>` });
        expect(await t.knex('users').where({ id: u.id })).to.have.length(1);
        expect(await t.knex('user_role').where({ user_id: u.id })).to.have.length(1);
        expect(await t.knex('instances').where({ id: 'inst_keep' })).to.have.length(1);
        expect(await t.knex('executions').where({ id: 'exec_keep' })).to.have.length(1);
        expect(await t.knex('cases').where({ user_id: u.id })).to.have.length(1);
      } finally {
        await t.knex.schema.dropTable('blocker');
      }
    });

    it('never deletes a service user (403, even for an admin)', async () => {
      const s = await t.user('service');
      const res = await t.delete(`/user/${s.id}/`, { token: await adminToken(t) });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(NO_OBJECT);
      expect(await t.knex('users').where({ id: s.id })).to.have.length(1);
    });

    it('answers 403 to a planner deleting someone else, and to viewer and dummy (no delete permission)', async () => {
      const [a, b] = [await t.user('planner'), await t.user('planner')];
      let res = await t.delete(`/user/${b.id}/`, { token: a.token });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal(NO_OBJECT);
      for (const role of ['viewer', 'dummy'] as const) {
        const u = await t.user(role);
        res = await t.delete(`/user/${u.id}/`, { token: u.token });
        expect(res.status, role).to.equal(403);
        expect(res.body).to.deep.equal(NO_ENDPOINT);
      }
    });

    it('answers 404 for a missing user', async () => {
      const res = await t.delete('/user/999999/', { token: await adminToken(t) });
      expect(res.status).to.equal(404);
      expect(res.body).to.deep.equal(MISSING);
    });
  });

  describe('toggleUserAdmin', () => {
    it('makes a user admin and takes it away; the change applies on the next request', async () => {
      const u = await t.user('planner');
      const token = await adminToken(t);
      expect((await t.get('/user/', { token: u.token })).status).to.equal(403);
      let res = await t.put(`/user/${u.id}/1/`, { token });
      expect(res.status, res.text).to.equal(200);
      expect(Object.keys(res.body)).to.deep.equal(['id', 'username', 'first_name', 'last_name', 'email', 'created_at', 'pwd_last_change']);
      expect(res.body).to.include({ id: u.id, username: u.username });
      expect((await t.get('/user/', { token: u.token })).status).to.equal(200);
      res = await t.put(`/user/${u.id}/0/`, { token });
      expect(res.status, res.text).to.equal(200);
      expect((await t.get('/user/', { token: u.token })).status).to.equal(403);
      // Taking away a role the user does not have is fine.
      expect((await t.put(`/user/${u.id}/0/`, { token })).status).to.equal(200);
    });

    it("answers cornflow's integrity error when the user already is an admin", async () => {
      const u = await t.user('admin');
      const res = await t.put(`/user/${u.id}/1/`, { token: await adminToken(t) });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: `Integrity error on saving with data ${u.id} has role 3` });
    });

    it('answers 404 for a missing user and 403 to non-admins', async () => {
      expect((await t.put('/user/999999/1/', { token: await adminToken(t) })).status).to.equal(404);
      for (const role of ['viewer', 'planner', 'service'] as const) {
        const u = await t.user(role);
        const res = await t.put(`/user/${u.id}/1/`, { token: u.token });
        expect(res.status, role).to.equal(403);
        expect(res.body).to.deep.equal(NO_ENDPOINT);
      }
    });
  });

  describe('recoverPassword', () => {
    const smtp = new SmtpListener();
    before(async () => {
      await smtp.start();
    });
    after(async () => {
      t.deps.config.email = {};
      await smtp.stop();
    });
    const configure = () => {
      t.deps.config.email = { address: 'cornflow@example.com', password: 'smtp-secret', server: '127.0.0.1', port: smtp.port };
    };
    const MESSAGE = { message: 'The password recovery process has started. Check the email inbox.' };

    it("answers 501 with cornflow's message when e-mail is not configured", async () => {
      t.deps.config.email = { address: 'cornflow@example.com', server: '127.0.0.1', port: smtp.port };
      const res = await t.put('/user/recover-password/', { body: { email: 'someone@example.com' } });
      expect(res.status).to.equal(501);
      expect(res.body).to.deep.equal({ error: "This functionality is not available. Check that cornflow's email is correctly configured" });
    });

    it('mails a new password that logs in; the old one no longer does', async () => {
      configure();
      const u = await t.user('planner');
      const sent = smtp.messages.length;
      const res = await t.put('/user/recover-password/', { body: { email: u.email } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(MESSAGE);
      expect(smtp.messages).to.have.length(sent + 1);
      const mail = smtp.messages.at(-1)!;
      expect(mail.to).to.deep.equal([u.email]);
      expect(mail.from).to.equal('cornflow@example.com');
      expect(mail.subject).to.equal('Cornflow - Temporary password');
      expect(smtp.logins.at(-1)).to.deep.equal({ username: 'cornflow@example.com', password: 'smtp-secret' });
      const password = /<big><b>(.*)<\/b><\/big>/.exec(mail.text)?.[1];
      expect(password, mail.text).to.be.a('string');
      expect((await t.post('/login/', { body: { username: u.username, password } })).status).to.equal(200);
      expect((await t.post('/login/', { body: { username: u.username, password: u.password } })).status).to.equal(400);
    });

    it('answers the same for an unknown address and sends nothing', async () => {
      configure();
      const sent = smtp.messages.length;
      const res = await t.put('/user/recover-password/', { body: { email: 'nobody-here@example.com' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(MESSAGE);
      expect(smtp.messages).to.have.length(sent);
    });

    it('keeps the old password when the mail cannot be sent', async () => {
      const u = await t.user('planner');
      t.deps.config.email = { address: 'cornflow@example.com', password: 'x', server: '127.0.0.1', port: 1 };
      const res = await t.put('/user/recover-password/', { body: { email: u.email } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'There is an error with the email provider. Please contact administration' });
      expect((await t.post('/login/', { body: { username: u.username, password: u.password } })).status).to.equal(200);
    });

    it('validates the address and the body', async () => {
      configure();
      let res = await t.put('/user/recover-password/', { body: { email: 'bad' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Invalid email address.' });
      res = await t.put('/user/recover-password/', { body: {} });
      expect(res.body).to.deep.equal({ error: "{'json': {'email': ['Missing data for required field.']}}" });
      res = await t.put('/user/recover-password/', { body: { email: 'a@example.com', x: 1 } });
      expect(res.body).to.deep.equal({ error: "{'json': {'x': ['Unknown field.']}}" });
    });
  });

  describe('DAG permissions at start-up', () => {
    it('grants every (user, deployed DAG) pair when open, a single missing pair included', async function () {
      this.timeout(30_000);
      const u = await t.user('planner');
      await t.knex('deployed_workflows').insert({ id: 'late_dag', created_at: NOW, updated_at: NOW });
      await prepare(t.deps.config, { db: t.knex, logger: t.deps.logger });
      const rows = await t.knex('permission_dag').where({ dag_id: 'late_dag' });
      const users = await t.knex('users').whereNull('deleted_at');
      expect(rows.map((r) => Number(r.user_id)).sort()).to.deep.equal(users.map((r) => Number(r.id)).sort());
      expect(rows.map((r) => Number(r.user_id))).to.include(u.id);
      // Exactly one missing pair (cornflow skips it).
      await t.knex('permission_dag').where({ dag_id: 'late_dag', user_id: u.id }).del();
      await prepare(t.deps.config, { db: t.knex, logger: t.deps.logger });
      expect(await t.knex('permission_dag').where({ dag_id: 'late_dag', user_id: u.id })).to.have.length(1);
    });
  });
});

forEachDatabase(
  'users with OPEN_DEPLOYMENT=0',
  (t) => {
    it('grants deployed DAGs only to service users at start-up and at creation', async function () {
      this.timeout(30_000);
      await t.knex('deployed_workflows').insert({ id: 'closed_dag', created_at: NOW, updated_at: NOW });
      const signup = await t.post('/signup/', { body: { username: 'closed_planner', email: 'closed_planner@example.com', password: 'Closed12!' } });
      expect(signup.status).to.equal(201);
      const planner = { id: signup.body.id as number };
      const service = await t.user('service');
      await prepare(t.deps.config, { db: t.knex, logger: t.deps.logger });
      const holders = (await t.knex('permission_dag').where({ dag_id: 'closed_dag' })).map((r) => Number(r.user_id));
      expect(holders).to.include(service.id);
      expect(holders).to.not.include(planner.id);
      const admin = await t.knex('users').where({ username: 'cornflow_admin' }).first();
      expect(holders).to.not.include(Number(admin.id));
    });
  },
  { OPEN_DEPLOYMENT: '0' },
);

forEachDatabase(
  'users under LDAP and OpenID Connect',
  (t) => {
    it('answers 501 when editing a user of the directory', async () => {
      const admin = await t.user('admin');
      await t.knex('users').insert({ username: 'fromdir', email: 'fromdir@example.com', password: null, created_at: NOW, updated_at: NOW });
      const target = await t.knex('users').where({ username: 'fromdir' }).first();
      t.deps.config.authType = 'ldap';
      try {
        let res = await t.put(`/user/${target.id}/`, { token: admin.token, body: { first_name: 'x' } });
        expect(res.status).to.equal(501);
        expect(res.body).to.deep.equal({ error: 'To edit a user, go to LDAP server' });
        t.deps.config.authType = 'oidc';
        res = await t.put(`/user/${target.id}/`, { token: admin.token, body: { first_name: 'x' } });
        expect(res.status).to.equal(501);
        expect(res.body).to.deep.equal({ error: 'To edit a user, go to the OID provider' });
        // A user with a password of this server is still editable.
        res = await t.put(`/user/${admin.id}/`, { token: admin.token, body: { first_name: 'x' } });
        expect(res.status).to.equal(200);
      } finally {
        t.deps.config.authType = 'db';
      }
    });
  },
);
