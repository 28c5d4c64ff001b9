import { expect } from 'chai';
import * as jose from 'jose';
import { createHmac } from 'node:crypto';
import { forEachDatabase } from './support/app.js';
import { callInstances, internalToken } from './support/identity.js';
import { OIDC_AUDIENCE, OIDC_CLIENT_ID, TestOidcProvider } from './support/oidc.js';

const BAD = { error: 'Invalid token format, signature, or configuration' };
const EXPIRED = { error: 'The token has expired, please login again' };

function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

describe('OpenID Connect (AUTH_TYPE=0)', function () {
  this.timeout(30_000);
  const idp = new TestOidcProvider();
  before(async () => {
    await idp.start();
  });
  after(async () => idp.stop());

  forEachDatabase(
    'oidc',
    (t) => {
      describe('login', () => {
        it('creates the user of a real provider token (RS256) on first login and echoes the token', async () => {
          const token = await idp.clientCredentialsToken('urn:cornflow:rs256');
          expect(jose.decodeProtectedHeader(token).alg).to.equal('RS256');
          const res = await t.post('/login/', { body: {}, token });
          expect(res.status).to.equal(200);
          expect(res.body).to.deep.equal({ token, id: res.body.id });
          const user = await t.knex('users').where({ username: OIDC_CLIENT_ID }).first();
          expect(Number(user.id)).to.equal(res.body.id);
          expect(user.password).to.equal(null);
          expect(user.email).to.equal(`${OIDC_CLIENT_ID}@cornflow.org`);
          const roles = await t.knex('user_role').where({ user_id: user.id });
          expect(roles.map((r) => Number(r.role_id))).to.deep.equal([2]);
          // The same token then opens every authenticated route; a second login finds the user.
          expect((await callInstances(t, token)).status).to.equal(200);
          expect((await t.get('/token/', { token })).body).to.deep.equal({ valid: 1 });
          const again = await t.post('/login/', { body: {}, token });
          expect(again.body.id).to.equal(res.body.id);
        });

        it('accepts a real ES256 token of the provider', async () => {
          const token = await idp.clientCredentialsToken('urn:cornflow:es256');
          expect(jose.decodeProtectedHeader(token).alg).to.equal('ES256');
          expect((await t.post('/login/', { body: {}, token })).status).to.equal(200);
          expect((await t.get('/token/', { token })).body).to.deep.equal({ valid: 1 });
        });

        it('takes e-mail and names from the claims, or splits the e-mail on "."', async () => {
          let res = await t.post('/login/', { body: {}, token: await idp.sign({ sub: 'ana-sub', email: 'ana.lopez@example.com' }) });
          expect(res.status).to.equal(200);
          let user = await t.knex('users').where({ id: res.body.id }).first();
          expect(user).to.include({ username: 'ana-sub', email: 'ana.lopez@example.com', first_name: 'ana', last_name: 'lopez' });
          res = await t.post('/login/', {
            body: {},
            token: await idp.sign({ sub: 'bo-sub', email: 'bo@example.com', given_name: 'Bo', family_name: 'Berg' }, { key: idp.key('ES256') }),
          });
          user = await t.knex('users').where({ id: res.body.id }).first();
          expect(user).to.include({ username: 'bo-sub', first_name: 'Bo', last_name: 'Berg' });
        });

        it('does not create users on other routes: an unknown sub is "User not found"', async () => {
          const token = await idp.sign({ sub: 'never-logged-in' });
          const res = await callInstances(t, token);
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: 'User not found. Please ensure you are using valid credentials' });
          expect((await t.get('/token/', { token })).body).to.deep.equal({ valid: 0 });
          expect(await t.knex('users').where({ username: 'never-logged-in' }).first()).to.equal(undefined);
        });

        it('answers "Authorization header is missing" without token or credentials', async () => {
          const res = await t.post('/login/', { body: {} });
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: 'Authorization header is missing' });
        });

        it('logs service users in with their password (an internal token), nobody else', async () => {
          const res = await t.post('/login/', { body: { username: 'service_user', password: 'Service_user1234' } });
          expect(res.status).to.equal(200);
          expect(res.body).to.have.keys('token', 'id');
          expect(jose.decodeJwt(res.body.token)).to.include({ sub: 'service_user', iss: 'cornflow' });
          // The internal token keeps working beside the provider's.
          expect((await callInstances(t, res.body.token)).status).to.equal(200);
          const admin = await t.post('/login/', { body: { username: 'cornflow_admin', password: 'Cornflow_admin1234' } });
          expect(admin.status).to.equal(400);
          expect(admin.body).to.deep.equal({ error: 'Invalid request' });
          const wrong = await t.post('/login/', { body: { username: 'service_user', password: 'nope' } });
          expect(wrong.body).to.deep.equal({ error: 'Invalid credentials' });
        });

        it('keeps rejecting unknown fields', async () => {
          const res = await t.post('/login/', { body: { email: 'x@example.com' } });
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: "{'json': {'email': ['Unknown field.']}}" });
        });
      });

      describe('token verification', () => {
        before(async () => {
          await t.post('/login/', { body: {}, token: await idp.sign({ sub: 'victim' }) });
        });

        it('accepts internal HS256 tokens beside the provider tokens', async () => {
          // t.user() cannot log a planner in with a password here: sign the token as this server would.
          const res = await callInstances(t, await internalToken('victim'));
          expect(res).to.deep.equal({ status: 200, body: { user: 'victim' } });
        });

        it('answers the expiry message for expired provider and internal tokens', async () => {
          let res = await callInstances(t, await idp.sign({ sub: 'victim' }, { expiresIn: -60 }));
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal(EXPIRED);
          res = await callInstances(t, await internalToken('victim', -50));
          expect(res.body).to.deep.equal(EXPIRED);
        });

        it('rejects wrong audience, wrong issuer, missing and unknown kid', async () => {
          const tokens = [
            await idp.clientCredentialsToken('urn:other:api'), // a real token for another API
            await idp.sign({ sub: 'victim', aud: 'another-api' }),
            await idp.sign({ sub: 'victim', iss: 'https://evil.example.com' }),
            await idp.sign({ sub: 'victim' }, { header: { kid: 'no-such-key' } }),
            await idp.sign({ sub: 'victim' }, { header: { kid: undefined } }),
          ];
          for (const token of tokens) {
            const res = await callInstances(t, token);
            expect(res.status, token).to.equal(400);
            expect(res.body).to.deep.equal(BAD);
          }
        });

        it('rejects a token signed by a key the provider does not publish', async () => {
          const { privateKey } = await jose.generateKeyPair('RS256');
          const now = Math.floor(Date.now() / 1000);
          const forged = await new jose.SignJWT({ sub: 'victim', iss: idp.issuer, aud: OIDC_AUDIENCE, iat: now, exp: now + 60 })
            .setProtectedHeader({ alg: 'RS256', kid: idp.key('RS256').kid })
            .sign(privateKey);
          const res = await callInstances(t, forged);
          expect(res.body).to.deep.equal(BAD);
        });

        it('rejects alg none and HS256 signed with the provider public key (algorithm confusion)', async () => {
          const now = Math.floor(Date.now() / 1000);
          const claims = b64url(JSON.stringify({ sub: 'victim', iss: idp.issuer, aud: OIDC_AUDIENCE, iat: now, exp: now + 60 }));
          const none = `${b64url(JSON.stringify({ alg: 'none', kid: idp.key('RS256').kid }))}.${claims}.`;
          const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = idp.key('RS256').privateJwk;
          const pem = (await import('node:crypto')).createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
          const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: idp.key('RS256').kid }));
          const confused = `${head}.${claims}.${createHmac('sha256', pem).update(`${head}.${claims}`).digest('base64url')}`;
          for (const token of [none, confused]) {
            const res = await callInstances(t, token);
            expect(res.status).to.equal(400);
            expect(res.body).to.deep.equal(BAD);
          }
          expect((await t.get('/token/', { token: confused })).body).to.deep.equal({ valid: 0 });
        });

        it('refetches the JWKS once when a token names a new key (rotation)', async () => {
          // Make sure the keys are cached, then let the refetch cooldown (1 s) pass.
          expect((await t.get('/token/', { token: await idp.sign({ sub: 'victim' }) })).body).to.deep.equal({ valid: 1 });
          await new Promise((r) => setTimeout(r, 1100));
          const rotated = await idp.rotate('ES256');
          const before = idp.jwksFetches;
          const token = await idp.sign({ sub: 'victim' }, { key: rotated });
          expect((await callInstances(t, token)).status).to.equal(200);
          expect(idp.jwksFetches - before).to.equal(1);
          expect((await callInstances(t, token)).status).to.equal(200);
          expect(idp.jwksFetches - before).to.equal(1);
        });
      });
    },
    () => ({ AUTH_TYPE: '0', OID_PROVIDER: idp.issuer, OID_EXPECTED_AUDIENCE: OIDC_AUDIENCE }),
  );

  forEachDatabase(
    'oidc without password login',
    (t) => {
      it('refuses username and password when SERVICE_USER_ALLOW_PASSWORD_LOGIN=0', async () => {
        const res = await t.post('/login/', { body: { username: 'service_user', password: 'Service_user1234' } });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: 'Must provide a token in Authorization header. Cannot log in with username and password' });
      });

      it('does not register /signup/', async () => {
        const res = await t.post('/signup/', { body: { username: 'x', email: 'x@example.com', password: 'Testpass1!' } });
        expect(res.status).to.equal(404);
      });
    },
    () => ({ AUTH_TYPE: '0', OID_PROVIDER: idp.issuer, OID_EXPECTED_AUDIENCE: OIDC_AUDIENCE, SERVICE_USER_ALLOW_PASSWORD_LOGIN: '0' }),
  );
});
