import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import * as jose from 'jose';
import { forEachDatabase, type TestApp } from './support/app.js';
import { callInstances } from './support/identity.js';
import { LDAP_USERS, TestLdapServer } from './support/ldap.js';

const CREDENTIALS = { error: 'Invalid credentials' };

function password(uid: string): string {
  return LDAP_USERS.find((u) => u.uid === uid)!.password;
}

async function rolesOf(t: TestApp, id: number): Promise<number[]> {
  const rows = await t.knex('user_role').where({ user_id: id }).orderBy('role_id');
  return rows.map((r: { role_id: number | string }) => Number(r.role_id));
}

describe('LDAP (AUTH_TYPE=2)', function () {
  this.timeout(30_000);
  const ldap = new TestLdapServer();
  before(async function () {
    if (!TestLdapServer.available()) throw new Error('slapd is not installed (apt-get install slapd ldap-utils)');
    await ldap.start();
  });
  after(async () => ldap.stop());

  forEachDatabase(
    'ldap',
    (t) => {
      describe('login', () => {
        it('binds, creates the local user without a password and answers {token, id} with an internal token', async () => {
          const res = await t.post('/login/', { body: { username: 'pablo', password: password('pablo') } });
          expect(res.status).to.equal(200);
          expect(res.body).to.have.keys('token', 'id');
          expect(jose.decodeJwt(res.body.token)).to.include({ sub: 'pablo', iss: 'cornflow' });
          const user = await t.knex('users').where({ username: 'pablo' }).first();
          expect(Number(user.id)).to.equal(res.body.id);
          expect(user.password).to.equal(null);
          expect(user.email).to.equal('pablo@example.com');
          expect((await callInstances(t, res.body.token)).status).to.equal(200);
          expect((await t.get('/token/', { token: res.body.token })).body).to.deep.equal({ valid: 1 });
        });

        it('maps each group to its role (the service user is searched under LDAP_SERVICE_BASE)', async () => {
          for (const [uid, role] of [['alice', 3], ['pablo', 2], ['vera', 1], ['service_user', 4]] as const) {
            const res = await t.post('/login/', { body: { username: uid, password: password(uid) } });
            expect(res.status, uid).to.equal(200);
            expect(await rolesOf(t, res.body.id), uid).to.deep.equal([role]);
          }
        });

        it('answers Invalid credentials for a wrong password, an empty password and an unknown user', async () => {
          for (const body of [
            { username: 'alice', password: 'wrong' },
            { username: 'alice', password: '' },
            { username: 'nobody', password: 'alice-pw' },
          ]) {
            const res = await t.post('/login/', { body });
            expect(res.status).to.equal(400);
            expect(res.body).to.deep.equal(CREDENTIALS);
          }
        });

        it('logs a user without a mapped group in, who then gets 403 everywhere', async () => {
          const res = await t.post('/login/', { body: { username: 'nora', password: password('nora') } });
          expect(res.status).to.equal(200);
          expect(await rolesOf(t, res.body.id)).to.deep.equal([]);
          expect(await callInstances(t, res.body.token)).to.deep.equal({ status: 403, body: { error: 'You do not have permission to access this endpoint' } });
        });

        it('replaces the roles at the next login after a group change', async () => {
          const first = await t.post('/login/', { body: { username: 'vera', password: password('vera') } });
          expect(await rolesOf(t, first.body.id)).to.deep.equal([1]);
          await ldap.addToGroup('vera', 'planners');
          await ldap.removeFromGroup('vera', 'viewers');
          try {
            const second = await t.post('/login/', { body: { username: 'vera', password: password('vera') } });
            expect(second.body.id).to.equal(first.body.id);
            expect(await rolesOf(t, second.body.id)).to.deep.equal([2]);
          } finally {
            await ldap.addToGroup('vera', 'viewers');
            await ldap.removeFromGroup('vera', 'planners');
          }
        });

        it('refuses a directory entry without an e-mail, as cornflow', async () => {
          const res = await t.post('/login/', { body: { username: 'nomail', password: password('nomail') } });
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: 'Invalid email address.' });
        });

        it('does not let filter metacharacters in the username match another user', async () => {
          for (const username of ['*', 'al*', 'alice)(uid=*', '*)(|(uid=*', 'star\\2a']) {
            const res = await t.post('/login/', { body: { username, password: password('alice') } });
            expect(res.status, username).to.equal(400);
            expect(res.body).to.deep.equal(CREDENTIALS);
          }
          // A username that really holds a '*' still logs in, as itself.
          const star = await t.post('/login/', { body: { username: 'star*', password: password('star*') } });
          expect(star.status).to.equal(200);
          expect(jose.decodeJwt(star.body.token).sub).to.equal('star*');
          expect(await t.knex('users').where({ username: 'star*' }).first()).to.include({ email: 'star@example.com' });
        });

        it('keeps the database-mode validation messages', async () => {
          const res = await t.post('/login/', { body: { username: 'alice' } });
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: "{'json': {'password': ['Missing data for required field.']}}" });
        });

        it('does not register /signup/', async () => {
          const res = await t.post('/signup/', { body: { username: 'x', email: 'x@example.com', password: 'Testpass1!' } });
          expect(res.status).to.equal(404);
        });
      });
    },
    () => ldap.env(),
  );

  forEachDatabase(
    'ldap server down',
    (t) => {
      it('answers 503 quickly when the directory does not answer', async () => {
        const started = Date.now();
        const res = await t.post('/login/', { body: { username: 'alice', password: 'alice-pw' } });
        expect(res.status).to.equal(503);
        expect(res.body).to.deep.equal({ error: 'The LDAP server is not available, please try again later' });
        expect(Date.now() - started).to.be.below(6000);
      });
    },
    // A port nothing listens on: slapd's port once it is stopped is not guaranteed free, so use port 1.
    () => ({ ...ldap.env(), LDAP_HOST: 'ldap://127.0.0.1:1' }),
  );

  describe('a directory that accepts connections but never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let port = 0;
    before(async () => {
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    });

    forEachDatabase(
      'ldap server silent',
      (t) => {
        it('gives up after the 5 s LDAP timeout with a 503, not a hang', async () => {
          const res = await t.post('/login/', { body: { username: 'alice', password: 'alice-pw' } });
          expect(res.status).to.equal(503);
        });
      },
      () => ({ ...ldap.env(), LDAP_HOST: `ldap://127.0.0.1:${port}` }),
    );
  });
});
