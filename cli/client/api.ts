// The HTTP client of the CLI's client commands: openapi-fetch typed with the `paths` generated from the spec
// (generated/api.ts), so a command cannot call a path, send a body or read a field the contract does not have.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/api.js';
import { httpFailure, networkFailure } from './errors.js';

export type CornflowClient = Client<paths>;

export function cornflowClient(url: string, token?: string): CornflowClient {
  return createClient<paths>({ baseUrl: url, headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

/** The body of a successful answer; an error answer or no answer becomes a one-line ClientFailure. */
export async function call<D>(url: string, what: string, request: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result: { data?: D; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (err) {
    throw networkFailure(url, err);
  }
  if (!result.response.ok) throw httpFailure(what, result.response.status, result.error);
  return result.data as D;
}
