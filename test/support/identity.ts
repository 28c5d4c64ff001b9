// What the security handler answers for an authenticated route (GET /instance/), computed through the
// app's own authenticator and permission check: this branch's spec has no permission-checked route yet
// besides /token/, which answers only {valid: 0|1}.
import type { Request } from 'express';
import * as jose from 'jose';
import { AppError } from '../../src/domain/errors.js';
import { checkPermission } from '../../src/domain/access.js';
import { TEST_SECRET, type TestApp } from './app.js';

export async function callInstances(t: TestApp, token: string): Promise<{ status: number; body: { error?: string; user?: string } }> {
  try {
    const user = await t.deps.authenticator.authenticate({ headers: { authorization: `Bearer ${token}` } } as unknown as Request);
    await checkPermission(t.knex, user.id, 'GET', '/instance/');
    return { status: 200, body: { user: user.username } };
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, body: { error: err.message } };
    throw err;
  }
}

/** An internal token as this server (or a Flask cornflow sharing SECRET_KEY) issues it. */
export function internalToken(sub: string, lifetimeSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ sub, iss: 'cornflow', iat: now, exp: now + lifetimeSeconds })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(TEST_SECRET));
}
