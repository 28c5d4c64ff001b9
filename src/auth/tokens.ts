// cornflow-compatible internal tokens: HS256 with SECRET_KEY, claims exp/iat/sub(username)/iss("cornflow").
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
