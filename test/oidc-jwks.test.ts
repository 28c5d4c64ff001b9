import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import { createOidcVerifier, jwksCandidates } from '../src/auth/oidc.js';

// cornflow's generic provider path: the keys at <OID_PROVIDER>/.well-known/jwks.json, with no discovery
// document at all (AWS Cognito publishes them this way). A real HTTP server on loopback serves them.
describe('OpenID Connect key locations', () => {
  let server: Server;
  let issuer: string;
  let key: jose.CryptoKey;
  const requests: string[] = [];

  before(async () => {
    const pair = await jose.generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    const jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'direct-1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/pool/.well-known/jwks.json') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pool`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const token = (claims: Record<string, unknown>) =>
    new jose.SignJWT({ sub: 'cognito-user', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'direct-1' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);

  it('verifies a token against <provider>/.well-known/jwks.json without discovery', async () => {
    const verifier = createOidcVerifier({ provider: issuer, providerType: 2, audience: 'app' });
    const claims = await verifier.verify(await token({ iss: issuer, aud: 'app' }));
    expect(claims.sub).to.equal('cognito-user');
    expect(requests).to.include('/pool/.well-known/jwks.json');
    expect(requests.some((r) => r.includes('openid-configuration'))).to.equal(false);
  });

  it('still rejects a wrong audience from that location', async () => {
    const verifier = createOidcVerifier({ provider: issuer, providerType: 2, audience: 'app' });
    try {
      await verifier.verify(await token({ iss: issuer, aud: 'other' }));
      expect.fail('accepted');
    } catch (err) {
      expect((err as { status?: number }).status).to.equal(400);
    }
  });

  it('reads Azure keys from the tenant of the provider URL (OID_PROVIDER_TYPE=1)', () => {
    expect(jwksCandidates('https://login.microsoftonline.com/1234-tenant/v2.0', 1)).to.deep.equal([
      'https://login.microsoftonline.com/1234-tenant/discovery/v2.0/keys',
    ]);
  });
});
