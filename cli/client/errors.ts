// Failures of the client commands, each one line on stderr with its exit code:
//   1 the server cannot be reached or failed (5xx), 2 bad usage (flags, files, no login yet),
//   3 authentication (no token, token rejected or expired, wrong credentials), 4 request refused (other 4xx).
import { AUTH_MESSAGES } from '../../src/domain/errors.js';

export const EXIT = { server: 1, usage: 2, auth: 3, rejected: 4 } as const;

export class ClientFailure extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'ClientFailure';
  }
}

const TOKEN_MESSAGES = new Set<string>([
  AUTH_MESSAGES.missingHeader,
  AUTH_MESSAGES.badHeader,
  AUTH_MESSAGES.badToken,
  AUTH_MESSAGES.badTokenOidc,
  AUTH_MESSAGES.expired,
  AUTH_MESSAGES.unknownUser,
]);

/** cornflow's error body: `error` or `message`, plus the JSON-schema errors of a rejected instance. */
function errorText(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body : undefined;
  const b = body as { error?: unknown; message?: unknown; jsonschema_errors?: unknown };
  const main = typeof b.error === 'string' ? b.error : typeof b.message === 'string' ? b.message : undefined;
  const details = Array.isArray(b.jsonschema_errors) && b.jsonschema_errors.length ? `: ${b.jsonschema_errors.slice(0, 3).join('; ')}` : '';
  return main === undefined ? undefined : main + details;
}

/** The failure for an HTTP error answer of `what` (for example "GET /instance/"). */
export function httpFailure(what: string, status: number, body: unknown): ClientFailure {
  const text = errorText(body) ?? `HTTP ${status}`;
  if (status === 401 || (status === 400 && TOKEN_MESSAGES.has(text))) {
    return new ClientFailure(`${text} (${what} → ${status}; run cornflow login)`, EXIT.auth);
  }
  if (status >= 500) return new ClientFailure(`the server failed: ${text} (${what} → ${status})`, EXIT.server);
  return new ClientFailure(`${text} (${what} → ${status})`, EXIT.rejected);
}

/** The failure for a request that got no answer (refused, DNS, TLS, timeout). */
export function networkFailure(url: string, err: unknown): ClientFailure {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
  return new ClientFailure(`cannot reach the cornflow server at ${url}: ${reason}`, EXIT.server);
}
