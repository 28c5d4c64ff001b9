// Bearer tokens of an external OpenID Connect provider (AUTH_TYPE=0, cornflow-platform.md §3.4): signature
// against the provider's JWKS (RS256 or ES256 only, `kid` required), `iss` = OID_PROVIDER, `aud` =
// OID_EXPECTED_AUDIENCE. Every failure is cornflow's 400; an expired token gets the expiry message.
import * as jose from 'jose';
import { AppError, AUTH_MESSAGES } from '../domain/errors.js';

export const OIDC_ALGORITHMS = ['RS256', 'ES256'];

export interface OidcSettings {
  provider: string;
  providerType: 1 | 2;
  audience: string | undefined;
  /** Per-request limit of a JWKS or discovery fetch. */
  fetchTimeoutMs?: number;
  /** How long fetched keys are trusted before they are fetched again (cornflow: 1 h). */
  cacheMaxAgeMs?: number;
  /** Smallest interval between two fetches triggered by unknown `kid`s (bounds refetch floods). */
  refetchCooldownMs?: number;
}

export interface OidcVerifier {
  /** The verified claims, or cornflow's 400. */
  verify(token: string): Promise<jose.JWTPayload & { sub: string }>;
}

/**
 * Where the keys are, in the order they are tried. cornflow reads Azure's tenant keys or
 * `<provider>/.well-known/jwks.json`; when that fails, the `jwks_uri` of OpenID discovery is used
 * (Keycloak, oidc-provider and most providers publish their keys elsewhere).
 */
export function jwksCandidates(provider: string, providerType: 1 | 2): string[] {
  const base = provider.replace(/\/+$/, '');
  if (providerType === 1) {
    // https://login.microsoftonline.com/<tenant>/v2.0 → the tenant is the 4th '/'-segment.
    const tenant = provider.split('/')[3] ?? '';
    return [`https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`];
  }
  return [`${base}/.well-known/jwks.json`, `discovery:${base}/.well-known/openid-configuration`];
}

class OidcFailure extends Error {}

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new OidcFailure(`${url} answered ${res.status}`);
  return res.json();
}

function isJwks(value: unknown): value is jose.JSONWebKeySet {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

/** The provider's key set: cached, refetched when stale or when a token names an unknown `kid`. */
export class JwksCache {
  private keys: jose.JSONWebKeySet | undefined;
  private getter: ReturnType<typeof jose.createLocalJWKSet> | undefined;
  private fetchedAt = 0;
  private inFlight: Promise<void> | undefined;
  /** The JWKS URL that last worked, tried first next time. */
  private workingUrl: string | undefined;

  constructor(
    private readonly candidates: string[],
    private readonly timeoutMs: number,
    private readonly maxAgeMs: number,
    private readonly cooldownMs: number,
  ) {}

  private async load(): Promise<void> {
    const urls = this.workingUrl ? [this.workingUrl, ...this.candidates.filter((c) => c !== this.workingUrl)] : this.candidates;
    for (const candidate of urls) {
      try {
        let url = candidate;
        if (candidate.startsWith('discovery:')) {
          const meta = (await fetchJson(candidate.slice('discovery:'.length), this.timeoutMs)) as { jwks_uri?: unknown };
          if (typeof meta.jwks_uri !== 'string') continue;
          url = meta.jwks_uri;
        }
        const body = await fetchJson(url, this.timeoutMs);
        if (!isJwks(body)) continue;
        this.keys = body;
        this.getter = jose.createLocalJWKSet(body);
        this.fetchedAt = Date.now();
        this.workingUrl = candidate;
        return;
      } catch {
        // try the next location
      }
    }
    throw new OidcFailure('no JWKS could be fetched from the provider');
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private hasKid(kid: string): boolean {
    return this.keys?.keys.some((k) => k.kid === kid) ?? false;
  }

  /** A key getter for jose.jwtVerify that knows the token's `kid`. */
  async getterFor(kid: string): Promise<ReturnType<typeof jose.createLocalJWKSet>> {
    const stale = Date.now() - this.fetchedAt > this.maxAgeMs;
    if (!this.getter || stale) await this.refresh();
    else if (!this.hasKid(kid) && Date.now() - this.fetchedAt >= this.cooldownMs) await this.refresh(); // rotation
    if (!this.getter || !this.hasKid(kid)) throw new OidcFailure('Unknown key identifier');
    return this.getter;
  }
}

export function createOidcVerifier(s: OidcSettings): OidcVerifier {
  const cache = new JwksCache(jwksCandidates(s.provider, s.providerType), s.fetchTimeoutMs ?? 5_000, s.cacheMaxAgeMs ?? 3_600_000, s.refetchCooldownMs ?? 1_000);
  return {
    async verify(token) {
      try {
        // Without an expected audience every token of the provider would pass, whatever client it was
        // issued to (PyJWT rejects tokens carrying `aud` in that case too).
        if (!s.audience) throw new OidcFailure('OID_EXPECTED_AUDIENCE is not set');
        const header = jose.decodeProtectedHeader(token);
        if (typeof header.kid !== 'string' || header.kid === '') throw new OidcFailure('Missing key identifier (kid) in token header');
        if (!OIDC_ALGORITHMS.includes(header.alg ?? '')) throw new OidcFailure(`algorithm ${header.alg} not accepted`);
        const keys = await cache.getterFor(header.kid);
        const { payload } = await jose.jwtVerify(token, keys, {
          algorithms: OIDC_ALGORITHMS,
          issuer: s.provider,
          audience: s.audience,
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') throw new OidcFailure('no sub claim');
        // As PyJWT in cornflow: a token issued in the future is refused (no leeway).
        if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) throw new OidcFailure('issued in the future');
        return payload as jose.JWTPayload & { sub: string };
      } catch (err) {
        if (err instanceof jose.errors.JWTExpired) throw new AppError(400, AUTH_MESSAGES.expired);
        throw new AppError(400, AUTH_MESSAGES.badTokenOidc);
      }
    },
  };
}
