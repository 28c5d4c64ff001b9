// passport-jwt checks a token through its verifier seam, JwtStrategy.JwtVerifier (jsonwebtoken.verify: decode,
// HMAC, algorithm, issuer, exp, nbf), on every request: ~5 % of an authenticated request's CPU. A client sends the
// same token on every request of its session, and for the same key and options everything but the clock checks
// gives the same answer every time; so a token that verified is remembered by its exact text (signature included),
// and on its next use only exp and nbf are checked again, against the clock, as jsonwebtoken checks them. A token
// past them, or one never seen, goes to jsonwebtoken (which gives the error). The user lookup, iat and the
// permission check still run on every request (src/auth/authenticate.ts, src/auth/security.ts).
import { Strategy as JwtStrategy } from 'passport-jwt';

type Claims = Record<string, unknown>;
type Verifier = (token: string, key: unknown, options: object, callback: (err: Error | null, payload?: unknown) => void) => void;

/** Most tokens remembered per verifier options; past it the memory starts over (no unbounded growth). */
export const REMEMBERED_TOKENS = 10_000;

interface Verified {
  key: unknown;
  claims: Claims;
}

const byOptions = new WeakMap<object, Map<string, Verified>>();

/** Options whose answer depends on more than exp and nbf (a max age, a clock tolerance or a fixed clock) are never remembered. */
function rememberable(options: Record<string, unknown>): boolean {
  return options.maxAge === undefined && !options.clockTolerance && options.clockTimestamp === undefined && options.complete !== true;
}

/** jsonwebtoken's clock checks: exp (now < exp) and nbf (nbf <= now), in whole seconds. */
function current(claims: Claims, now: number = Math.floor(Date.now() / 1000)): boolean {
  if (claims.exp !== undefined && !(typeof claims.exp === 'number' && now < claims.exp)) return false;
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= now)) return false;
  return true;
}

let installed = false;

/** Wraps passport-jwt's verifier (process-wide, once) with the memory of verified tokens. */
export function rememberVerifiedTokens(): void {
  if (installed) return;
  installed = true;
  const strategy = JwtStrategy as unknown as { JwtVerifier: Verifier };
  const verify = strategy.JwtVerifier;
  strategy.JwtVerifier = (token, key, options, callback) => {
    const remembered = byOptions.get(options)?.get(token);
    if (remembered && remembered.key === key && current(remembered.claims)) return callback(null, remembered.claims);
    verify(token, key, options, (err, payload) => {
      if (!err && payload !== null && typeof payload === 'object' && rememberable(options as Record<string, unknown>)) {
        let tokens = byOptions.get(options);
        if (!tokens) byOptions.set(options, (tokens = new Map()));
        if (tokens.size >= REMEMBERED_TOKENS) tokens.clear();
        tokens.set(token, { key, claims: Object.freeze(payload) as Claims });
      }
      callback(err, payload);
    });
  };
}
