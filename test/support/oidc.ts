// A real OpenID provider on loopback for the OpenID Connect tests: oidc-provider 8 with a static client,
// the client_credentials grant issuing JWT access tokens signed RS256 or ES256 (one resource each), a
// JWKS with both keys, and rotate() to publish a new key (the provider is rebuilt behind the same port).
// Tokens the provider cannot be asked for (expired, wrong issuer, alg none, algorithm confusion) are signed
// here with the very private keys the provider serves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import Provider from 'oidc-provider';

export const OIDC_AUDIENCE = 'cornflow-api';
export const OIDC_CLIENT_ID = 'cornflow-test-client';
const CLIENT_SECRET = 'a-test-client-secret-that-is-long-enough';
const RESOURCES: Record<string, { alg: 'RS256' | 'ES256'; audience: string }> = {
  'urn:cornflow:rs256': { alg: 'RS256', audience: OIDC_AUDIENCE },
  'urn:cornflow:es256': { alg: 'ES256', audience: OIDC_AUDIENCE },
  'urn:other:api': { alg: 'RS256', audience: 'another-api' },
};

interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateJwk: jose.JWK;
  key: jose.CryptoKey;
}

async function newKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await jose.exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateJwk, key: privateKey };
}

export class TestOidcProvider {
  issuer = '';
  keys: SigningKey[] = [];
  /** How many times the JWKS was served (rotation tests check the refetch). */
  jwksFetches = 0;
  private server: Server | undefined;
  private handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  private rotations = 0;

  async start(): Promise<this> {
    this.keys = [await newKey('RS256', 'rs-1'), await newKey('ES256', 'es-1')];
    this.server = createServer((req, res) => {
      if (req.url?.startsWith('/jwks')) this.jwksFetches += 1;
      this.handler!(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.build();
    return this;
  }

  private build(): void {
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: OIDC_CLIENT_ID,
          client_secret: CLIENT_SECRET,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: this.keys.map((k) => k.privateJwk) as never },
      cookies: { keys: ['test-cookie-key'] },
      ttl: { ClientCredentials: 600 },
      scopes: ['api'],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'urn:cornflow:rs256',
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => {
            const r = RESOURCES[resource];
            if (!r) throw new Error(`unknown resource ${resource}`);
            return { scope: 'api', audience: r.audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: r.alg } } };
          },
        },
      },
    } as never);
    this.handler = provider.callback() as never;
  }

  /** A new key of that algorithm is published (the old ones stay, as providers do during rotation). */
  async rotate(alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
    this.rotations += 1;
    const key = await newKey(alg, `${alg === 'RS256' ? 'rs' : 'es'}-rotated-${this.rotations}`);
    this.keys = [key, ...this.keys];
    this.build();
    return key;
  }

  /** A real access token from the provider's token endpoint (client_credentials grant): sub = client id. */
  async clientCredentialsToken(resource: keyof typeof RESOURCES = 'urn:cornflow:rs256'): Promise<string> {
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: OIDC_CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'api', resource }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** A token signed with one of the provider's keys (default: the first RS256 key), valid unless overridden. */
  async sign(claims: Record<string, unknown>, opts: { key?: SigningKey; header?: Record<string, unknown>; expiresIn?: number } = {}): Promise<string> {
    const key = opts.key ?? this.keys.find((k) => k.alg === 'RS256')!;
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ iss: this.issuer, aud: OIDC_AUDIENCE, iat: now, exp: now + (opts.expiresIn ?? 600), ...claims })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...opts.header })
      .sign(key.key);
  }

  key(alg: 'RS256' | 'ES256'): SigningKey {
    return this.keys.find((k) => k.alg === alg)!;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }
}
