// Forged, tampered and misplaced tokens for test/token-attacks.test.ts, and the operations of the bundled spec
// that need a token. Every attack names the failure cornflow answers for it; a forged token is always made
// for a user who could do everything (admin + service), so a token that got through would succeed.
import { createHmac, generateKeyPairSync, createPublicKey, sign as rawSign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import type { HttpMethod, OpenApiDocument } from '../../src/api/spec.js';
import { resolve, specOperations } from './spec-walk.js';
import { AUTH_MESSAGES } from '../../src/domain/errors.js';

type Json = Record<string, unknown>;

export function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A compact JWS from parts: header and payload as objects (or raw segments), signature as given. */
export function compact(header: Json | string, payload: Json | string, signature = ''): string {
  const h = typeof header === 'string' ? header : b64url(JSON.stringify(header));
  const p = typeof payload === 'string' ? payload : b64url(JSON.stringify(payload));
  return `${h}.${p}.${signature}`;
}

/** HMAC signature (any SHA-2 size) of `header.payload` with that key, base64url. */
export function hmac(bits: 256 | 384 | 512, key: string | Buffer, signingInput: string): string {
  return createHmac(`sha${bits}`, key).update(signingInput).digest('base64url');
}

/** A token signed with HMAC over the given header and payload (whatever alg the header claims). */
export function hmacToken(header: Json, payload: Json, key: string | Buffer, bits: 256 | 384 | 512 = 256): string {
  const unsigned = compact(header, payload).slice(0, -1);
  return `${unsigned}.${hmac(bits, key, unsigned)}`;
}

export interface AttackerKeys {
  rsa: { privateKey: KeyObject; publicKey: KeyObject; jwk: jose.JWK };
  ec: { privateKey: KeyObject; publicKey: KeyObject; jwk: jose.JWK };
}

export function attackerKeys(): AttackerKeys {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    rsa: { ...rsa, jwk: { ...(rsa.publicKey.export({ format: 'jwk' }) as jose.JWK), kid: 'attacker-rs', alg: 'RS256', use: 'sig' } },
    ec: { ...ec, jwk: { ...(ec.publicKey.export({ format: 'jwk' }) as jose.JWK), kid: 'attacker-es', alg: 'ES256', use: 'sig' } },
  };
}

/** RS256 / ES256 signature with a private key, whatever the header says. */
export function asymmetricToken(header: Json, payload: Json, key: KeyObject): string {
  const unsigned = compact(header, payload).slice(0, -1);
  const ec = key.asymmetricKeyType === 'ec';
  const sig = rawSign('sha256', Buffer.from(unsigned), ec ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${unsigned}.${sig.toString('base64url')}`;
}

/** The PEM (SPKI) text of a public key, as an HS256 confusion attack would use it as the HMAC secret. */
export function pemOf(key: KeyObject | jose.JWK): string {
  const k = 'kty' in (key as object) ? createPublicKey({ key: key as never, format: 'jwk' }) : (key as KeyObject);
  return k.export({ type: 'spki', format: 'pem' }) as string;
}

/**
 * A loopback server that serves the attacker's JWKS and records every request: jku / x5u header injection
 * must never make the server fetch keys from where the token says.
 */
export class KeyBait {
  hits: string[] = [];
  url = '';
  private server: Server | undefined;

  constructor(private readonly jwks: { keys: jose.JWK[] }) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.hits.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(this.jwks));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }
}

/** How a request carries (or fails to carry) the attacker's credentials. */
export interface AttackRequest {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers (an Authorization header here replaces the bearer one). */
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface Attack {
  name: string;
  request: AttackRequest;
  /** cornflow's error for it (status 400). */
  error: string;
}

export interface InternalAttackInput {
  /** A user holding every role: what a forged token impersonates. */
  victim: string;
  secret: string;
  /** A real token of another (low-privilege) user, for tampering. */
  ownToken: string;
  keys: AttackerKeys;
  bait: KeyBait;
  /** The message of a bad token in this mode (database/LDAP or OpenID Connect). */
  badToken: string;
}

/** Attacks on the internal cornflow JWT (HS256, iss "cornflow"). */
export function internalAttacks(a: InternalAttackInput): Attack[] {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: a.victim, iss: 'cornflow', iat: now, exp: now + 3600 };
  const hs = { alg: 'HS256', typ: 'JWT' };
  const good = hmacToken(hs, claims, a.secret);
  const [goodHead, goodBody, goodSig] = good.split('.') as [string, string, string];
  const [ownHead, ownBody, ownSig] = a.ownToken.split('.') as [string, string, string];
  const ownClaims = JSON.parse(Buffer.from(ownBody, 'base64url').toString('utf8')) as Json;
  const expiredOwn = hmacToken(hs, { ...ownClaims, iat: now - 7200, exp: now - 3600 }, a.secret);
  const [expHead, , expSig] = expiredOwn.split('.') as [string, string, string];
  const bad = a.badToken;
  const rsHead = (extra: Json = {}) => ({ alg: 'RS256', typ: 'JWT', ...extra });
  const lastChar = goodSig.at(-1)!;
  // The last base64url character of a 32-byte HMAC carries 2 unused bits: same bytes, other text.
  const sameBytesSig = goodSig.slice(0, -1) + '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_'
    .split('')
    .find((c) => c !== lastChar && Buffer.from(goodSig.slice(0, -1) + c, 'base64url').equals(Buffer.from(goodSig, 'base64url')))!;
  const list: [string, AttackRequest, string][] = [
    // alg none and other algorithms
    ['alg none, no signature', { token: compact({ alg: 'none', typ: 'JWT' }, claims) }, bad],
    ['alg none, with the HS256 signature kept', { token: compact({ alg: 'none', typ: 'JWT' }, goodBody, goodSig) }, bad],
    ['alg None (capitalised), no signature', { token: compact({ alg: 'None' }, claims) }, bad],
    ['alg NONE, signature part "e30"', { token: compact({ alg: 'NONE' }, claims, 'e30') }, bad],
    ['no alg in the header, HMAC with the right secret', { token: hmacToken({ typ: 'JWT' }, claims, a.secret) }, bad],
    ['alg HS384 with the right secret', { token: hmacToken({ alg: 'HS384', typ: 'JWT' }, claims, a.secret, 384) }, bad],
    ['alg HS512 with the right secret', { token: hmacToken({ alg: 'HS512', typ: 'JWT' }, claims, a.secret, 512) }, bad],
    ['alg RS256 signed with a key of the attacker', { token: asymmetricToken(rsHead({ kid: 'attacker-rs' }), claims, a.keys.rsa.privateKey) }, bad],
    ['alg ES256 signed with a key of the attacker', { token: asymmetricToken({ alg: 'ES256', typ: 'JWT', kid: 'attacker-es' }, claims, a.keys.ec.privateKey) }, bad],
    // the secret used as if it were the key of another algorithm
    ['alg RS256 with an HMAC of the secret as signature', { token: hmacToken(rsHead(), claims, a.secret) }, bad],
    ['alg ES256 with an HMAC of the secret as signature', { token: hmacToken({ alg: 'ES256', typ: 'JWT' }, claims, a.secret) }, bad],
    ['alg PS256 with an HMAC of the secret as signature', { token: hmacToken({ alg: 'PS256', typ: 'JWT' }, claims, a.secret) }, bad],
    ['HS256 keyed with the PEM of the attacker public key', { token: hmacToken(hs, claims, pemOf(a.keys.rsa.publicKey)) }, bad],
    ['HS256 keyed with the JSON of the attacker public JWK', { token: hmacToken(hs, claims, JSON.stringify(a.keys.rsa.jwk)) }, bad],
    ['HS256 keyed with the empty string', { token: hmacToken(hs, claims, '') }, bad],
    // header injection: the token tells the server which key to use
    ['kid pointing at /dev/null, HMAC with an empty key', { token: hmacToken({ ...hs, kid: '../../../../../../dev/null' }, claims, '') }, bad],
    ['kid with SQL injection, HMAC with the injected value', { token: hmacToken({ ...hs, kid: "x' UNION SELECT 'attacker' --" }, claims, 'attacker') }, bad],
    ['jku pointing at the attacker JWKS (RS256)', { token: asymmetricToken(rsHead({ kid: 'attacker-rs', jku: `${a.bait.url}/jwks.json` }), claims, a.keys.rsa.privateKey) }, bad],
    ['x5u pointing at the attacker (RS256)', { token: asymmetricToken(rsHead({ kid: 'attacker-rs', x5u: `${a.bait.url}/cert.pem` }), claims, a.keys.rsa.privateKey) }, bad],
    ['embedded jwk of the attacker (RS256)', { token: asymmetricToken(rsHead({ jwk: a.keys.rsa.jwk }), claims, a.keys.rsa.privateKey) }, bad],
    ['embedded symmetric jwk (HS256 with the attacker secret)', { token: hmacToken({ ...hs, jwk: { kty: 'oct', k: b64url('attacker') } }, claims, 'attacker') }, bad],
    ['signed with another secret', { token: hmacToken(hs, claims, `${a.secret}x`) }, bad],
    // claims
    ['wrong issuer', { token: hmacToken(hs, { ...claims, iss: 'not-cornflow' }, a.secret) }, bad],
    ['no issuer', { token: hmacToken(hs, { sub: a.victim, iat: now, exp: now + 3600 }, a.secret) }, bad],
    ['issuer in an array', { token: hmacToken(hs, { ...claims, iss: ['cornflow'] }, a.secret) }, bad],
    ['expired', { token: hmacToken(hs, { ...claims, iat: now - 7200, exp: now - 60 }, a.secret) }, AUTH_MESSAGES.expired],
    ['nbf in the future', { token: hmacToken(hs, { ...claims, nbf: now + 600 }, a.secret) }, bad],
    ['iat in the future', { token: hmacToken(hs, { ...claims, iat: now + 600, exp: now + 7200 }, a.secret) }, bad],
    ['sub not a string', { token: hmacToken(hs, { ...claims, sub: 1 }, a.secret) }, bad],
    // tampering with a real token
    ['payload sub changed, original signature', { token: `${ownHead}.${b64url(JSON.stringify({ ...ownClaims, sub: a.victim }))}.${ownSig}` }, bad],
    ['expired token with exp extended, original signature', { token: `${expHead}.${b64url(JSON.stringify({ ...ownClaims, iat: now - 7200, exp: now + 3600 }))}.${expSig}` }, bad],
    ['signature stripped', { token: `${goodHead}.${goodBody}.` }, bad],
    ['signature stripped, no trailing dot', { token: `${goodHead}.${goodBody}` }, bad],
    ['signature bit-flipped', { token: `${goodHead}.${goodBody}.${goodSig.slice(0, 5)}${goodSig[5] === 'A' ? 'B' : 'A'}${goodSig.slice(6)}` }, bad],
    // encodings: the signature covers the segments as written
    ['header segment with base64 padding', { token: `${goodHead}==.${goodBody}.${goodSig}` }, bad],
    ['payload segment with base64 padding', { token: `${goodHead}.${goodBody}=.${goodSig}` }, bad],
    ['payload in standard base64 (+/) instead of base64url', { token: `${goodHead}.${Buffer.from(JSON.stringify({ ...claims, pad: '>>>???' })).toString('base64')}.${goodSig}` }, bad],
    ['signature with padding', { token: `${good}=` }, bad],
    ['signature with other unused bits (same bytes)', { token: `${goodHead}.${goodBody}.${sameBytesSig}` }, bad],
    ['a fourth segment', { token: `${good}.${goodSig}` }, bad],
    ['whitespace inside the token', { token: `${goodHead}. ${goodBody}.${goodSig}` }, bad],
    ['percent-encoded token', { token: encodeURIComponent(`${goodHead}.${goodBody}.${goodSig}`).replace(/\./g, '%2E') }, bad],
    ['a token of 12 KB (padding claim)', { token: hmacToken(hs, { ...claims, sub: a.victim, pad: 'x'.repeat(9000) }, `${a.secret}x`) }, bad],
    ['a 12 KB header segment', { token: hmacToken({ ...hs, pad: 'y'.repeat(9000) }, claims, `${a.secret}x`) }, bad],
    ['garbage', { token: 'abc.def.ghi' }, bad],
    ['JSON instead of a JWT', { token: JSON.stringify(claims) }, bad],
    // the token where cornflow does not read it
    ['valid token in the query string (?token=)', { query: { token: good } }, AUTH_MESSAGES.missingHeader],
    ['valid token in the query string (?access_token=)', { query: { access_token: good, jwt: good } }, AUTH_MESSAGES.missingHeader],
    ['valid token in a cookie and an X-Access-Token header', { headers: { Cookie: `access_token=${good}; token=${good}`, 'X-Access-Token': good } }, AUTH_MESSAGES.missingHeader],
    ['valid token with the scheme in lower case', { headers: { Authorization: `bearer ${good}` } }, AUTH_MESSAGES.badHeader],
    ['valid token under the JWT scheme', { headers: { Authorization: `JWT ${good}` } }, AUTH_MESSAGES.badHeader],
    ['valid token without a scheme', { headers: { Authorization: good } }, AUTH_MESSAGES.badHeader],
    ['Basic credentials of the victim', { headers: { Authorization: `Basic ${Buffer.from(`${a.victim}:Testpass1!`).toString('base64')}` } }, AUTH_MESSAGES.badHeader],
    ['valid token after two spaces', { headers: { Authorization: `Bearer  ${good}` } }, bad],
    ['a second word first, the valid token third', { headers: { Authorization: `Bearer x ${good}` } }, bad],
  ];
  return list.map(([name, request, error]) => ({ name, request, error }));
}

/** Attacks on provider tokens (OpenID Connect mode), made with the provider's own keys where they must be. */
export interface ProviderAttackInput {
  victim: string;
  issuer: string;
  audience: string;
  /** Signs claims with the provider's RS256 key (header overridable), valid unless overridden. */
  sign(claims: Json, opts?: { header?: Json; expiresIn?: number }): Promise<string>;
  providerJwk: jose.JWK;
  providerKid: string;
  keys: AttackerKeys;
  bait: KeyBait;
  badToken: string;
}

export async function providerAttacks(a: ProviderAttackInput): Promise<Attack[]> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: a.victim, iss: a.issuer, aud: a.audience, iat: now, exp: now + 600 };
  const good = await a.sign({ sub: a.victim });
  const [head, body, sig] = good.split('.') as [string, string, string];
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = a.providerJwk;
  const kid = a.providerKid;
  const bad = a.badToken;
  const list: [string, AttackRequest, string][] = [
    ['alg none, no signature', { token: compact({ alg: 'none', kid }, claims) }, bad],
    ['alg none, with the RS256 signature kept', { token: compact({ alg: 'none', kid }, body, sig) }, bad],
    ['HS256 keyed with the provider public key (PEM)', { token: hmacToken({ alg: 'HS256', typ: 'JWT', kid }, claims, pemOf(publicJwk as jose.JWK)) }, bad],
    ['HS256 keyed with the provider public key (JWK JSON)', { token: hmacToken({ alg: 'HS256', typ: 'JWT', kid }, claims, JSON.stringify(publicJwk)) }, bad],
    ['HS256 keyed with the provider modulus', { token: hmacToken({ alg: 'HS256', typ: 'JWT', kid }, claims, Buffer.from(String(publicJwk.n), 'base64url')) }, bad],
    ['wrong audience', { token: await a.sign({ sub: a.victim, aud: 'another-api' }) }, bad],
    ['audience in a list without ours', { token: await a.sign({ sub: a.victim, aud: ['another-api', 'third-api'] }) }, bad],
    ['wrong issuer', { token: await a.sign({ sub: a.victim, iss: 'https://evil.example.com' }) }, bad],
    ['issuer "cornflow"', { token: await a.sign({ sub: a.victim, iss: 'cornflow' }) }, bad],
    ['expired', { token: await a.sign({ sub: a.victim }, { expiresIn: -60 }) }, AUTH_MESSAGES.expired],
    ['nbf in the future', { token: await a.sign({ sub: a.victim, nbf: now + 600 }) }, bad],
    ['iat in the future', { token: await a.sign({ sub: a.victim, iat: now + 600 }, { expiresIn: 1200 }) }, bad],
    ['payload sub changed, original signature', { token: `${head}.${b64url(JSON.stringify({ ...claims, sub: 'someone-else' }))}.${sig}` }, bad],
    ['payload exp extended, original signature', { token: `${head}.${b64url(JSON.stringify({ ...claims, exp: now + 999_999 }))}.${sig}` }, bad],
    ['signature stripped', { token: `${head}.${body}.` }, bad],
    ['signed by the attacker with the provider kid', { token: asymmetricToken({ alg: 'RS256', typ: 'JWT', kid }, claims, a.keys.rsa.privateKey) }, bad],
    ['signed by the attacker with its own kid', { token: asymmetricToken({ alg: 'RS256', typ: 'JWT', kid: 'attacker-rs' }, claims, a.keys.rsa.privateKey) }, bad],
    ['ES256 by the attacker with its own kid', { token: asymmetricToken({ alg: 'ES256', typ: 'JWT', kid: 'attacker-es' }, claims, a.keys.ec.privateKey) }, bad],
    ['jku pointing at the attacker JWKS', { token: asymmetricToken({ alg: 'RS256', typ: 'JWT', kid: 'attacker-rs', jku: `${a.bait.url}/jwks.json` }, claims, a.keys.rsa.privateKey) }, bad],
    ['x5u pointing at the attacker', { token: asymmetricToken({ alg: 'RS256', typ: 'JWT', kid: 'attacker-rs', x5u: `${a.bait.url}/cert.pem` }, claims, a.keys.rsa.privateKey) }, bad],
    ['embedded jwk of the attacker with the provider kid', { token: asymmetricToken({ alg: 'RS256', typ: 'JWT', kid, jwk: a.keys.rsa.jwk }, claims, a.keys.rsa.privateKey) }, bad],
    ['no kid', { token: await a.sign({ sub: a.victim }, { header: { kid: undefined } }) }, bad],
    ['valid token in the query string', { query: { token: good, access_token: good } }, AUTH_MESSAGES.missingHeader],
  ];
  return list.map(([name, request, error]) => ({ name, request, error }));
}

export interface SecuredOperation {
  operationId: string;
  method: HttpMethod;
  path: string;
  permission?: string;
  /** The operation's own request example (JSON), when it has one. */
  example?: unknown;
  contentTypes: string[];
}

/** Every operation of the spec whose security names bearerAuth (including the optional one of /signup/). */
export function securedOperations(spec: OpenApiDocument): SecuredOperation[] {
  const out: SecuredOperation[] = [];
  const global = (spec as unknown as { security?: Json[] }).security;
  for (const { path, method, op } of specOperations(spec)) {
    const security = (op.security ?? global ?? []) as Json[];
    if (!security.some((s) => 'bearerAuth' in s)) continue;
    const content = (resolve(spec, op.requestBody).content ?? {}) as Record<string, Json>;
    const json = content['application/json'];
    let example: unknown;
    if (json) {
      const examples = json.examples as Record<string, Json> | undefined;
      example = json.example ?? (examples ? resolve(spec, Object.values(examples)[0]).value : undefined) ?? resolve(spec, json.schema).example;
    }
    out.push({
      operationId: op.operationId as string,
      method,
      path,
      permission: op['x-cornflow-permission'] as string | undefined,
      example,
      contentTypes: Object.keys(content),
    });
  }
  return out;
}
