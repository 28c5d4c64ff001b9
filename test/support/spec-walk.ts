// Walking the bundled spec (generated/openapi.json): local $refs and the list of operations. Shared by the
// spec-driven tests (fuzz, token attacks, and through fuzzOperations the BOLA matrix).
import type { OpenApiDocument } from '../../src/api/spec.js';
import { HTTP_METHODS, type HttpMethod } from '../../src/api/spec.js';

type Json = Record<string, unknown>;

/** Follows local $refs (JSON pointers into the spec) to the node they name; {} for a missing node. */
export function resolve(spec: OpenApiDocument, node: unknown): Json {
  let cur = node as Json;
  for (let i = 0; i < 50 && cur && typeof cur.$ref === 'string'; i++) {
    const keys = (cur.$ref as string).replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    cur = keys.reduce<Json>((acc, key) => acc[key] as Json, spec as unknown as Json);
  }
  return cur ?? {};
}

export interface SpecOperation {
  path: string;
  method: HttpMethod;
  /** The path item (its `parameters` apply to every operation under it). */
  item: Json;
  op: Json;
}

/** Every operation of the spec, path by path in the spec's order, methods in HTTP_METHODS order. */
export function specOperations(spec: OpenApiDocument): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Json | undefined;
      if (op) out.push({ path, method, item: item as Json, op });
    }
  }
  return out;
}
