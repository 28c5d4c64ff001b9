// GET /instance/ through the real app (security handler: authentication, then the permission check), reduced
// to what identity tests compare: the status, cornflow's error, and on success the token's user.
import * as jose from 'jose';
import { TEST_SECRET, type TestApp } from './app.js';

export async function callInstances(t: TestApp, token: string): Promise<{ status: number; body: { error?: string; user?: string } }> {
  const res = await t.get('/instance/', { token });
  if (res.status === 200) return { status: 200, body: { user: String(jose.decodeJwt(token).sub) } };
  return { status: res.status, body: { error: res.body.error } };
}

/** An internal token as this server (or a Flask cornflow sharing SECRET_KEY) issues it. */
export function internalToken(sub: string, lifetimeSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ sub, iss: 'cornflow', iat: now, exp: now + lifetimeSeconds })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(TEST_SECRET));
}
