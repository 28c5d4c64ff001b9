// cornflow-compatible internal tokens: HS256 with SECRET_KEY, claims exp/iat/sub(username)/iss("cornflow").
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const TOKEN_ISSUER = 'cornflow';

export interface TokenClaims {
  exp: number;
  iat: number;
  sub: string;
  iss: string;
}

export function issueToken(username: string, secret: string, durationHours: number, now: number = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const claims: TokenClaims = { exp: iat + Math.floor(durationHours * 3600), iat, sub: username, iss: TOKEN_ISSUER };
  return jwt.sign(claims, secret, { algorithm: 'HS256' });
}

const keys = new Map<string, KeyObject>();
/**
 * The HMAC key of a secret, built once: given a string, jsonwebtoken first tries it as a PEM public key
 * (createPublicKey) on every verify — a fifth of the CPU of an authenticated request.
 */
export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}
