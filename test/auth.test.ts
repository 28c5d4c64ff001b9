import { expect } from 'chai';
import * as jose from 'jose';
import { forEachDatabase, TEST_SECRET } from './support/app.js';

const secret = new TextEncoder().encode(TEST_SECRET);

async function cornflowToken(claims: Record<string, unknown>, key: Uint8Array = secret): Promise<string> {
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

forEachDatabase('auth', (t) => {
  describe('login', () => {
    it('logs the initial admin in and returns a token and the user id', async () => {
      const res = await t.post('/login/', { body: { username: 'cornflow_admin', password: 'Cornflow_admin1234' } });
      expect(res.status).to.equal(200);
      expect(res.body).to.have.keys('change_password', 'token', 'id');
      expect(res.body.change_password).to.equal(false);
      const admin = await t.knex('users').where({ username: 'cornflow_admin' }).first();
      expect(res.body.id).to.equal(Number(admin.id));
      const claims = jose.decodeJwt(res.body.token);
      expect(claims).to.include({ sub: 'cornflow_admin', iss: 'cornflow' });
      expect(claims.exp! - claims.iat!).to.equal(24 * 3600);
      expect(jose.decodeProtectedHeader(res.body.token).alg).to.equal('HS256');
    });

    it('answers 400 Invalid credentials for a wrong password or an unknown user', async () => {
      for (const body of [{ username: 'cornflow_admin', password: 'wrong' }, { username: 'nobody', password: 'Cornflow_admin1234' }]) {
        const res = await t.post('/login/', { body });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: 'Invalid credentials' });
      }
    });

    it('rejects missing, unknown and mistyped fields with the marshmallow message', async () => {
      let res = await t.post('/login/', { body: { username: 'cornflow_admin' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'password': ['Missing data for required field.']}}" });
      res = await t.post('/login/', { body: { username: 'a', password: 'b', email: 'x@y.com' } });
      expect(res.body).to.deep.equal({ error: "{'json': {'email': ['Unknown field.']}}" });
      res = await t.post('/login/', { body: { username: 5, password: 'b' } });
      expect(res.body).to.deep.equal({ error: "{'json': {'username': ['Not a valid string.']}}" });
      res = await t.post('/login/', { body: { username: null, password: 'b' } });
      expect(res.body).to.deep.equal({ error: "{'json': {'username': ['Field may not be null.']}}" });
    });

    it('answers the invalid-JSON body for an unparseable body', async () => {
      const res = await t.raw().post('/login/').set('Content-Type', 'application/json').send('{"username": ');
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ messages: { json: ['Invalid JSON body.'] } });
    });

    it('treats a non-JSON body as empty, as Flask does', async () => {
      const res = await t.raw().post('/login/').set('Content-Type', 'text/plain').send('hello');
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal("{'json': {'username': ['Missing data for required field.'], 'password': ['Missing data for required field.']}}");
    });

    it('ignores Content-Encoding: br on a plain body (the Python client sends it)', async () => {
      const res = await t.post('/login/', {
        body: { username: 'cornflow_admin', password: 'Cornflow_admin1234' },
        headers: { 'Content-Encoding': 'br' },
      });
      expect(res.status).to.equal(200);
    });

    it('does not inflate gzip bodies on login (cornflow inflates only three routes)', async () => {
      const { gzipSync } = await import('node:zlib');
      const res = await t.gzipJson('post', '/login/', gzipSync(JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' })));
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ messages: { json: ['Invalid JSON body.'] } });
    });

    it('sets change_password when the password is older than PWD_ROTATION_TIME days', async () => {
      const u = await t.user('planner');
      await t.knex('users').where({ id: u.id }).update({ pwd_last_change: '2001-01-01 00:00:00.000000' });
      const res = await t.post('/login/', { body: { username: u.username, password: u.password } });
      expect(res.body.change_password).to.equal(true);
    });

    it('answers Invalid credentials (not 500) for a user without a password', async () => {
      await t.knex('users').insert({ username: 'ldapish', email: 'ldapish@example.com', password: null, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
      const res = await t.post('/login/', { body: { username: 'ldapish', password: 'Whatever1!' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Invalid credentials' });
    });

    it('accepts bcrypt hashes written by other implementations ($2b$ as Python bcrypt writes, $2a$)', async () => {
      // The classic OpenBSD test vector for the password "U*U"; Python's bcrypt writes the same with $2b$.
      for (const [name, hash] of [
        ['fromflask', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
        ['fromopenbsd', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
      ]) {
        await t.knex('users').insert({ username: name, email: `${name}@example.com`, password: hash, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
        const ok = await t.post('/login/', { body: { username: name, password: 'U*U' } });
        expect(ok.status).to.equal(200);
        const bad = await t.post('/login/', { body: { username: name, password: 'U*V' } });
        expect(bad.status).to.equal(400);
      }
    });
  });

  describe('checkToken', () => {
    it('answers valid 1 for a token of an existing user', async () => {
      const u = await t.user('viewer');
      const res = await t.get('/token/', { token: u.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ valid: 1 });
    });

    it('answers valid 0 for bad, expired and unknown-user tokens', async () => {
      const now = Math.floor(Date.now() / 1000);
      const tokens = [
        'not-a-token',
        await cornflowToken({ sub: 'cornflow_admin', iss: 'cornflow', iat: now - 7200, exp: now - 3600 }),
        await cornflowToken({ sub: 'ghost', iss: 'cornflow', iat: now, exp: now + 3600 }),
        await cornflowToken({ sub: 'cornflow_admin', iss: 'cornflow', iat: now, exp: now + 3600 }, new TextEncoder().encode('other')),
      ];
      for (const token of tokens) {
        const res = await t.get('/token/', { token });
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({ valid: 0 });
      }
    });

    it('answers 400 without a header or with a non-Bearer header', async () => {
      let res = await t.get('/token/');
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Authorization header is missing' });
      res = await t.get('/token/', { headers: { Authorization: 'Basic abc' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "Invalid Authorization header format. Must be 'Bearer <token>'" });
    });
  });

  describe('signup', () => {
    it('creates a planner with DAG access and logs them in', async () => {
      const now = '2024-01-01 00:00:00';
      await t.knex('deployed_workflows').insert({ id: 'solve_model_dag', created_at: now, updated_at: now }).onConflict('id').ignore();
      const res = await t.post('/signup/', { body: { username: 'newbie', email: 'newbie@example.com', password: 'Newbie12!', first_name: 'New', last_name: 'Bie' } });
      expect(res.status).to.equal(201);
      expect(res.body).to.have.keys('token', 'id');
      const roles = await t.knex('user_role').where({ user_id: res.body.id });
      expect(roles.map((r) => Number(r.role_id))).to.deep.equal([2]);
      const dags = await t.knex('permission_dag').where({ user_id: res.body.id });
      expect(dags.map((d) => d.dag_id)).to.include('solve_model_dag');
      const user = await t.knex('users').where({ id: res.body.id }).first();
      expect(user.password).to.match(/^\$2[aby]\$10\$/);
      const check = await t.get('/token/', { token: res.body.token });
      expect(check.body).to.deep.equal({ valid: 1 });
    });

    const policy: [string, string][] = [
      ['Ab1!', 'Password must contain at least 5 characters.'],
      ['abcdef1!', 'Password must contain uppercase and lowercase letters.'],
      ['ABCDEF1!', 'Password must contain uppercase and lowercase letters.'],
      ['Abcdefg!', 'Password must contain at least one number and one special character.'],
      ['Abcdefg1', 'Password must contain at least one number and one special character.'],
    ];
    for (const [password, message] of policy) {
      it(`rejects the password ${password}: ${message}`, async () => {
        const res = await t.post('/signup/', { body: { username: 'p1', email: 'p1@example.com', password } });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: message });
      });
    }

    it('accepts a password without letters (cornflow only rejects all-lower or all-upper)', async () => {
      const res = await t.post('/signup/', { body: { username: 'digits', email: 'digits@example.com', password: '12345!' } });
      expect(res.status).to.equal(201);
    });

    it('rejects invalid and disposable e-mail addresses', async () => {
      let res = await t.post('/signup/', { body: { username: 'e1', email: 'not-an-email', password: 'Abcde12!' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'json': {'email': ['Not a valid email address.']}}" });
      res = await t.post('/signup/', { body: { username: 'e1', email: 'a+b@example.com', password: 'Abcde12!' } });
      expect(res.body).to.deep.equal({ error: 'Invalid email address.' });
      res = await t.post('/signup/', { body: { username: 'e1', email: 'someone@mailinator.com', password: 'Abcde12!' } });
      expect(res.body).to.deep.equal({ error: 'Invalid email address' });
      expect(await t.knex('users').where({ username: 'e1' })).to.have.length(0);
    });

    it('rejects a taken username, then a taken e-mail, and writes nothing', async () => {
      const before = (await t.knex('users')).length;
      let res = await t.post('/signup/', { body: { username: 'cornflow_admin', email: 'fresh@example.com', password: 'Abcde12!' } });
      expect(res.body).to.deep.equal({ error: 'Username already in use, please supply another username' });
      res = await t.post('/signup/', { body: { username: 'fresh', email: 'cornflow_admin@cornflow.com', password: 'Abcde12!' } });
      expect(res.body).to.deep.equal({ error: 'Email already in use, please supply another email address' });
      expect((await t.knex('users')).length).to.equal(before);
    });

    it('rejects missing and unknown fields', async () => {
      const res = await t.post('/signup/', { body: { username: 'x', password: 'Abcde12!', role: 3 } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal("{'json': {'email': ['Missing data for required field.'], 'role': ['Unknown field.']}}");
    });
  });
});

forEachDatabase(
  'signup with SIGNUP_ACTIVATED=2 (admin token required)',
  (t) => {
    const body = { username: 'byadmin', email: 'byadmin@example.com', password: 'Byadmin1!' };
    it('answers 400 without a token', async () => {
      const res = await t.post('/signup/', { body });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Authorization header is missing' });
    });
    it('answers 403 for a planner', async () => {
      const planner = await t.user('planner');
      const res = await t.post('/signup/', { token: planner.token, body });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'You do not have permission to access this endpoint' });
    });
    it('answers 400 for an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await cornflowToken({ sub: 'cornflow_admin', iss: 'cornflow', iat: now - 100, exp: now - 10 });
      const res = await t.post('/signup/', { token, body });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The token has expired, please login again' });
    });
    it('creates the user for an admin', async () => {
      const token = await t.login('cornflow_admin', 'Cornflow_admin1234');
      const res = await t.post('/signup/', { token, body });
      expect(res.status).to.equal(201);
    });

    it('checks authentication before validating the body', async () => {
      const res = await t.post('/signup/', { body: { nonsense: true } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'Authorization header is missing' });
    });

    describe('token verification', () => {
      const now = () => Math.floor(Date.now() / 1000);
      let n = 0;
      const fresh = () => {
        n += 1;
        return { username: `tok${n}`, email: `tok${n}@example.com`, password: 'Token123!' };
      };

      it('accepts a token minted by an independent JWT library with cornflow claims', async () => {
        const token = await cornflowToken({ exp: now() + 3600, iat: now(), sub: 'cornflow_admin', iss: 'cornflow' });
        const res = await t.post('/signup/', { token, body: fresh() });
        expect(res.status).to.equal(201);
      });

      const cases: [string, () => Promise<string>, string][] = [
        ['expired', () => cornflowToken({ exp: now() - 10, iat: now() - 100, sub: 'cornflow_admin', iss: 'cornflow' }), 'The token has expired, please login again'],
        ['from another issuer', () => cornflowToken({ exp: now() + 3600, iat: now(), sub: 'cornflow_admin', iss: 'other' }), 'Invalid token format or signature'],
        ['without issuer', () => cornflowToken({ exp: now() + 3600, iat: now(), sub: 'cornflow_admin' }), 'Invalid token format or signature'],
        ['signed with another key', () => cornflowToken({ exp: now() + 3600, iat: now(), sub: 'cornflow_admin', iss: 'cornflow' }, new TextEncoder().encode('nope')), 'Invalid token format or signature'],
        ['unsigned (alg none)', async () => new jose.UnsecuredJWT({ exp: now() + 3600, sub: 'cornflow_admin', iss: 'cornflow' }).encode(), 'Invalid token format or signature'],
        ['tampered', async () => {
          const good = await cornflowToken({ exp: now() + 3600, iat: now(), sub: 'planner_x', iss: 'cornflow' });
          const [h, , sig] = good.split('.');
          const payload = Buffer.from(JSON.stringify({ exp: now() + 3600, iat: now(), sub: 'cornflow_admin', iss: 'cornflow' })).toString('base64url');
          return `${h}.${payload}.${sig}`;
        }, 'Invalid token format or signature'],
        ['garbage', async () => 'abc.def.ghi', 'Invalid token format or signature'],
        // HTTP trims the header to "Bearer", which cornflow rejects as a malformed header.
        ['empty', async () => '', "Invalid Authorization header format. Must be 'Bearer <token>'"],
        ['of an unknown user', () => cornflowToken({ exp: now() + 3600, iat: now(), sub: 'ghost', iss: 'cornflow' }), 'User not found. Please ensure you are using valid credentials'],
      ];
      for (const [name, make, message] of cases) {
        it(`answers 400 for a token that is ${name}`, async () => {
          const body = fresh();
          const res = await t.post('/signup/', { token: await make(), body });
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: message });
          expect(await t.knex('users').where({ username: body.username })).to.have.length(0);
        });
      }

      it('answers 400 for a header that is not Bearer', async () => {
        const res = await t.post('/signup/', { headers: { Authorization: 'Token abc' }, body: fresh() });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: "Invalid Authorization header format. Must be 'Bearer <token>'" });
      });

      it('answers 400 for the token of a deleted user', async () => {
        const u = await t.user('admin');
        await t.knex('user_role').where({ user_id: u.id }).del();
        await t.knex('permission_dag').where({ user_id: u.id }).del(); // users now hold solve_model_dag
        await t.knex('users').where({ id: u.id }).del();
        const res = await t.post('/signup/', { token: u.token, body: fresh() });
        expect(res.body).to.deep.equal({ error: 'User not found. Please ensure you are using valid credentials' });
      });
    });

    describe('data-driven permissions', () => {
      it('answers 403 for a user without roles', async () => {
        const u = await t.user(null);
        const res = await t.post('/signup/', { token: u.token, body: { username: 'r1', email: 'r1@example.com', password: 'Abcde12!' } });
        expect(res.status).to.equal(403);
        expect(res.body).to.deep.equal({ error: 'You do not have permission to access this endpoint' });
      });

      it('follows the permission table on the next request (no restart)', async () => {
        const admin = await t.user('admin');
        const view = await t.knex('api_view').where({ name: 'signup' }).first();
        const grant = { role_id: 3, action_id: 3, api_view_id: view.id };
        await t.knex('permission_view').where(grant).del();
        let res = await t.post('/signup/', { token: admin.token, body: { username: 'd1', email: 'd1@example.com', password: 'Abcde12!' } });
        expect(res.status).to.equal(403);
        await t.knex('permission_view').insert({ ...grant, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
        res = await t.post('/signup/', { token: admin.token, body: { username: 'd1', email: 'd1@example.com', password: 'Abcde12!' } });
        expect(res.status).to.equal(201);
        // A planner given the permission may now sign users up too.
        const planner = await t.user('planner');
        await t.knex('permission_view').insert({ role_id: 2, action_id: 3, api_view_id: view.id, created_at: '2024-01-01 00:00:00', updated_at: '2024-01-01 00:00:00' });
        res = await t.post('/signup/', { token: planner.token, body: { username: 'd2', email: 'd2@example.com', password: 'Abcde12!' } });
        expect(res.status).to.equal(201);
        await t.knex('permission_view').where({ role_id: 2, action_id: 3, api_view_id: view.id }).del();
      });

      it('answers cornflow\'s message when the view is missing from api_view', async () => {
        const admin = await t.user('admin');
        const view = await t.knex('api_view').where({ name: 'signup' }).first();
        await t.knex('api_view').where({ id: view.id }).update({ url_rule: '/moved/' });
        try {
          const res = await t.post('/signup/', { token: admin.token, body: { username: 'm1', email: 'm1@example.com', password: 'Abcde12!' } });
          expect(res.status).to.equal(403);
          expect(res.body).to.deep.equal({ error: 'The permission for this endpoint is not in the database.' });
        } finally {
          await t.knex('api_view').where({ id: view.id }).update({ url_rule: '/signup/' });
        }
      });
    });
  },
  { SIGNUP_ACTIVATED: '2' },
);

forEachDatabase(
  'signup with SIGNUP_ACTIVATED=0',
  (t) => {
    it('is not registered: 404', async () => {
      const res = await t.post('/signup/', { body: { username: 'x', email: 'x@example.com', password: 'Abcde12!' } });
      expect(res.status).to.equal(404);
      expect(res.body.message).to.equal('404 Not Found');
    });
    it('has no signup view in api_view', async () => {
      expect(await t.knex('api_view').where({ name: 'signup' })).to.have.length(0);
    });
  },
  { SIGNUP_ACTIVATED: '0' },
);
