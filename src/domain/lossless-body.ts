// Lossless request bodies: operations flagged `x-cornflow-lossless: true` have their JSON body parsed once by
// parseExact (src/api/json-body.ts), so JSON data is stored and hashed exactly as Python would see it (1.0 stays
// 1.0, big ints stay exact) from the same tree the validator checked.
import type { Request } from 'express';
import { collectAfterLargeBody } from './memory.js';
import { exactMember, exactToLossless, type ExactJson, type JsonValue, type LosslessJson } from './json-hash.js';

/** A request body parsed by parseExact. */
export type ExactBody = { readonly [key: string]: ExactJson };

const sizes = new WeakMap<object, number>();

/** Records the byte size of a body parsed by parseExact (src/api/json-body.ts). */
export function rememberBodySize(body: unknown, bytes: number): void {
  if (body !== null && typeof body === 'object') sizes.set(body, bytes);
}

/** The byte size the request body had (0 when unknown): large bodies take the memory-saving paths. */
export function bodySize(body: ExactBody | undefined): number {
  return (body && sizes.get(body)) ?? 0;
}

/** The body as parseExact gave it, or undefined when the request's body was not parsed that way. */
export function losslessBody(req: Pick<Request, 'body' | 'exactBody'>): ExactBody | undefined {
  const body: unknown = req.body;
  if (req.exactBody !== true || body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  return body as ExactBody;
}

/**
 * The exact value of one field, for pythonDumps / dataHash / rawJsonText (no copy: the body's own tree, whose
 * numbers print as Python's): from the exact body when there is one, else the parsed value.
 */
export function losslessField(lossless: ExactBody | undefined, parsed: unknown, key: string): JsonValue {
  if (lossless && Object.prototype.hasOwnProperty.call(lossless, key)) return exactMember(lossless, key);
  return parsed as JsonValue;
}

/** The field as a LosslessJson tree (every number a JsonNumber), for code that edits or inspects values. */
export function losslessTree(lossless: ExactBody | undefined, parsed: unknown, key: string): LosslessJson {
  return exactToLossless(losslessField(lossless, parsed, key));
}

/**
 * Drops a field from a request body once its stored text (`size` characters) and hash are made, so a large tree
 * is collected before the text is written to the database (the body is the handler's own request object).
 */
export function releaseField(body: unknown, key: string, size: number): void {
  if (body === null || typeof body !== 'object') return;
  delete (body as Record<string, unknown>)[key];
  collectAfterLargeBody(size);
}

/**
 * After the stored form of a large field was written: drops it and collects, so the next request does not start
 * with it still in memory (V8 would keep it until its next full collection).
 */
export function releaseStored(stored: { text: string | Buffer } | undefined, size: number): void {
  if (!stored) return;
  stored.text = '';
  collectAfterLargeBody(size);
}
