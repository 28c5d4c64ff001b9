// TODO(merge): the /execution/ routes are not in this branch's spec yet. These calls are typed loosely from
// ../shared/reference/cornflow-api.md; once the executions operations are merged into openapi/cornflow.yaml,
// replace `untypedCall` with `call(url, what, client.GET('/execution/{idx}/', …))` as in ../commands/instances/
// and delete this file.
import { call } from './api.js';

/** Loose shape of an execution answer (exec-basic / exec-detail / exec-status of cornflow-api.md). */
export interface LooseExecution {
  id: string;
  name?: string;
  description?: string | null;
  created_at?: string;
  instance_id?: string;
  schema?: string | null;
  state: number;
  message?: string | null;
  [key: string]: unknown;
}

export async function untypedCall<T>(url: string, token: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, query?: Record<string, string>): Promise<T> {
  const target = new URL(`${url}${path}`);
  for (const [k, v] of Object.entries(query ?? {})) target.searchParams.set(k, v);
  const what = `${method} ${path}`;
  return call<T>(
    url,
    what,
    (async () => {
      const response = await fetch(target, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: kept as text */
      }
      return response.ok ? { data: parsed as T, response } : { error: parsed, response };
    })(),
  );
}

/** cornflow's execution states (cornflow-api.md §3.9). */
export const EXECUTION_STATES: Record<number, string> = {
  1: 'solved',
  2: 'loaded manually',
  0: 'running',
  [-1]: 'error',
  [-2]: 'stopped',
  [-3]: 'could not start',
  [-4]: 'not run',
  [-5]: 'unknown',
  [-6]: 'saving failed',
  [-7]: 'queued',
};
/** States the server still polls the orchestrator for. */
export const ACTIVE_STATES = new Set([0, -7, -5]);

export function stateText(state: number, message?: string | null): string {
  return `${state} ${EXECUTION_STATES[state] ?? '?'}${message ? ` (${message})` : ''}`;
}
