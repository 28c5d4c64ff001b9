// Spec-driven request fuzzing: request cases generated from the bundled spec (generated/openapi.json), so
// operations added to the spec are fuzzed without touching this file. Used by test/fuzz.test.ts.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Knex } from 'knex';
import type { OpenApiDocument } from '../../src/api/spec.js';
import { resolve, specOperations } from './spec-walk.js';

type Json = Record<string, unknown>;

/** Seeded like the other property tests; CORNFLOW_TEST_SEED explores other seeds. */
export const FUZZ_SEED = Number(process.env.CORNFLOW_TEST_SEED ?? 20261126);

export interface FuzzOperation {
  operationId: string;
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: Json }[];
  /** JSON schema of the request body (application/json), if any. */
  body?: Json;
  inflate: boolean;
}

export const TOKEN_KINDS = ['none', 'invalid', 'malformed', 'viewer', 'planner', 'admin', 'service', 'norole'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const BODY_MODES = [
  'valid', 'valid', 'valid', 'wrongType', 'missing', 'extra', 'huge', 'deep', 'invalidJson', 'invalidUtf8',
  'gzipValid', 'badGzip', 'otherEncoding', 'wrongContentType', 'empty', 'nonObject',
] as const;
export type BodyMode = (typeof BODY_MODES)[number];

export const PATH_MODES = ['existing', 'existing', 'existing', 'number', 'garbage', 'huge', 'encoded'] as const;
export type PathMode = (typeof PATH_MODES)[number];

export interface FuzzCase {
  op: FuzzOperation;
  token: TokenKind;
  bodyMode: BodyMode;
  pathMode: PathMode;
  /** Picks among the existing ids (index modulo the pool size at send time). */
  pick: number;
  garbage: string;
  value: unknown;
  mutation: { key: string; junk: unknown; index: number };
  query: Record<string, string>;
}

export interface EncodedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Every operation of the bundled spec, with what the generator needs. */
export function fuzzOperations(spec: OpenApiDocument): FuzzOperation[] {
  return specOperations(spec).map(({ path, method, item, op }) => {
    const params = [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map((p) => resolve(spec, p));
    const content = (resolve(spec, op.requestBody).content ?? {}) as Json;
    const json = content['application/json'] as Json | undefined;
    return {
      operationId: op.operationId as string,
      method,
      path,
      pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
      query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name as string, schema: resolve(spec, p.schema) })),
      body: json?.schema ? resolve(spec, json.schema) : undefined,
      inflate: op['x-cornflow-inflate'] === true,
    };
  });
}

const leafJson = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const smallJson = fc.jsonValue({ maxDepth: 3 });

/** An arbitrary of values (mostly) valid for a JSON schema of the spec. */
export function arbitraryFor(spec: OpenApiDocument, schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(spec, schema);
  if (depth > 6) return leafJson;
  // The spec's own examples are valid requests: use them half of the time, so creations also succeed.
  if ('example' in s && depth === 0) {
    const { example, ...rest } = s;
    return fc.oneof(fc.constant(example), arbitraryFor(spec, rest, depth));
  }
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => arbitraryFor(spec, a, depth + 1)));
  if (Array.isArray(s.allOf)) {
    const merged: Json = { type: 'object', properties: {}, required: [] };
    for (const part of s.allOf.map((p) => resolve(spec, p))) {
      Object.assign(merged.properties as Json, part.properties ?? {});
      (merged.required as string[]).push(...((part.required as string[]) ?? []));
    }
    return arbitraryFor(spec, merged, depth + 1);
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : s.properties ? ['object'] : [];
  if (types.length === 0) return smallJson;
  return fc.oneof(...types.map((type) => arbitraryOfType(spec, s, type, depth)));
}

function arbitraryOfType(spec: OpenApiDocument, s: Json, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      // Bounds beyond 2^53 (int64 limit/offset) are clamped: fast-check's integers are exact JS integers only.
      return fc.integer({
        min: Math.max((s.minimum as number) ?? -1000, Number.MIN_SAFE_INTEGER),
        max: Math.min((s.maximum as number) ?? 100_000, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ min: (s.minimum as number) ?? -1e6, max: (s.maximum as number) ?? 1e6, noNaN: true });
    case 'string': {
      if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19));
      if (s.format === 'email') return fc.emailAddress();
      const min = (s.minLength as number) ?? 0;
      return fc.oneof(
        fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(min, (s.maxLength as number) ?? 20) }),
        fc.stringMatching(/^[a-z][a-z0-9_]{3,20}$/),
      );
    }
    case 'array':
      return fc.array(s.items ? arbitraryFor(spec, s.items, depth + 1) : leafJson, { maxLength: 4 });
    case 'object': {
      const props = (s.properties ?? {}) as Json;
      const required = new Set((s.required as string[]) ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) {
        if ((resolve(spec, v) as Json).readOnly) continue;
        model[k] = arbitraryFor(spec, v, depth + 1);
      }
      if (Object.keys(model).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), leafJson, { maxKeys: 4 });
      return fc.record(model, { requiredKeys: Object.keys(model).filter((k) => required.has(k)) });
    }
    default:
      return smallJson;
  }
}

const garbageString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('0', '-1', '1.5', 'null', 'true', '%00', '..', '%2e%2e', '99999999999999999999999', 'NaN', "' OR 1=1 --", '{}', '[]'),
);

/** The arbitrary of request cases over all operations. */
export function caseArbitrary(spec: OpenApiDocument, ops: FuzzOperation[]): fc.Arbitrary<FuzzCase> {
  const perOp = ops.map((op) =>
    fc.record({
      op: fc.constant(op),
      token: fc.constantFrom(...TOKEN_KINDS),
      bodyMode: op.body ? fc.constantFrom(...BODY_MODES) : fc.constantFrom<BodyMode>('empty', 'empty', 'invalidJson', 'wrongContentType', 'extra'),
      pathMode: fc.constantFrom(...PATH_MODES),
      pick: fc.nat(1000),
      garbage: garbageString,
      value: op.body ? arbitraryFor(spec, op.body) : fc.constant({}),
      mutation: fc.record({ key: fc.string({ minLength: 1, maxLength: 10 }), junk: fc.oneof(smallJson, fc.constant(undefined)), index: fc.nat(100) }),
      query: op.query.length
        ? fc.record(
            Object.fromEntries(op.query.map((q) => [q.name, fc.oneof(arbitraryFor(spec, q.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))), garbageString)])),
            { requiredKeys: [] },
          ) as fc.Arbitrary<Record<string, string>>
        : fc.constant({}),
    }),
  );
  return fc.oneof(...perOp);
}

function wrongTypeOf(v: unknown, junk: unknown): unknown {
  if (typeof v === 'string') return junk === undefined ? 12345 : typeof junk === 'string' ? { nested: junk } : junk;
  if (typeof v === 'number' || typeof v === 'boolean') return 'not-a-' + typeof v;
  if (Array.isArray(v)) return 'not-an-array';
  if (v && typeof v === 'object') return ['not', 'an', 'object'];
  return { unexpected: true };
}

/** Turns a case into bytes and headers: the deliberately invalid encodings live here. */
export function encodeCase(c: FuzzCase, pathValues: (param: string) => string[], tokens: Record<string, string>): EncodedRequest {
  let path = c.op.path;
  for (const p of c.op.pathParams) {
    let value: string;
    const pool = pathValues(p);
    switch (c.pathMode) {
      case 'existing':
        value = encodeURIComponent(pool.length ? pool[c.pick % pool.length]! : String(c.pick));
        break;
      case 'number':
        value = String(c.pick - 10);
        break;
      case 'huge':
        value = 'x'.repeat(5000 + c.pick);
        break;
      case 'encoded':
        value = encodeURIComponent(c.garbage) || '%ff%fe';
        if (c.pick % 3 === 0) value = '%ff%fe%c3%28';
        break;
      default:
        value = encodeURIComponent(c.garbage) || 'x';
    }
    path = path.replace(`{${p}}`, value);
  }
  const qs = new URLSearchParams(c.query).toString();
  const url = qs ? `${path}?${qs}` : path;
  const headers: Record<string, string> = {};
  switch (c.token) {
    case 'none':
      break;
    case 'invalid':
      headers.authorization = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.invalid-signature';
      break;
    case 'malformed':
      headers.authorization = c.pick % 2 ? 'Basic dXNlcjpwYXNz' : `Bearer ${c.garbage}`.replace(/[^\x20-\x7e]/g, '');
      break;
    default:
      if (tokens[c.token]) headers.authorization = `Bearer ${tokens[c.token]}`;
  }
  const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');
  let value = c.value;
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const keys = isObject ? Object.keys(value as Json) : [];
  let body: Buffer | undefined;
  let type = 'application/json';
  switch (c.bodyMode) {
    case 'valid':
      body = json(value);
      break;
    case 'wrongType':
      if (keys.length) {
        const k = keys[c.mutation.index % keys.length]!;
        value = { ...(value as Json), [k]: wrongTypeOf((value as Json)[k], c.mutation.junk) };
      } else value = wrongTypeOf(value, c.mutation.junk);
      body = json(value);
      break;
    case 'missing': {
      const required = (c.op.body?.required as string[] | undefined) ?? keys;
      if (isObject && required.length) {
        const copy = { ...(value as Json) };
        delete copy[required[c.mutation.index % required.length]!];
        value = copy;
      }
      body = json(value);
      break;
    }
    case 'extra':
      body = json(isObject ? { ...(value as Json), [c.mutation.key]: c.mutation.junk ?? 'extra' } : { [c.mutation.key]: 1 });
      break;
    case 'huge': {
      const huge = 'h'.repeat(200_000 + c.pick);
      body = json(keys.length ? { ...(value as Json), [keys[c.mutation.index % keys.length]!]: huge } : { huge });
      break;
    }
    case 'deep': {
      const depth = c.pick % 2 ? 200 : 20_000;
      const nest = '['.repeat(depth) + ']'.repeat(depth);
      body = Buffer.from(keys.length ? JSON.stringify({ ...(value as Json), [keys[c.mutation.index % keys.length]!]: 0 }).replace(/0}$/, `${nest}}`) : `{"deep":${nest}}`);
      break;
    }
    case 'invalidJson': {
      const text = JSON.stringify(value) ?? '{}';
      const broken = ['{', '{"a":}', "{'a': 1}", '{"a":1,}', 'NaN', '\u0000', text.slice(0, Math.max(1, text.length - 1)), `${text}garbage`];
      body = Buffer.from(broken[c.pick % broken.length]!);
      break;
    }
    case 'invalidUtf8': {
      const text = JSON.stringify(isObject && keys.length ? { ...(value as Json), [keys[0]!]: '@@BAD@@' } : { name: '@@BAD@@' });
      const [before, after] = text.split('@@BAD@@');
      body = Buffer.concat([Buffer.from(before!), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(after ?? '')]);
      break;
    }
    case 'gzipValid':
      body = gzipSync(json(value));
      headers['content-encoding'] = 'gzip';
      break;
    case 'badGzip':
      body = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from(c.garbage || 'not gzip at all')]);
      headers['content-encoding'] = 'gzip';
      break;
    case 'otherEncoding':
      body = json(value);
      headers['content-encoding'] = ['deflate', 'br', 'identity, gzip', 'x-unknown'][c.pick % 4]!;
      break;
    case 'wrongContentType':
      body = json(value);
      type = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', ''][c.pick % 6]!;
      break;
    case 'nonObject':
      body = json([value, 1, 'two']);
      break;
    case 'empty':
      body = undefined;
      break;
  }
  if (body !== undefined && type) headers['content-type'] = type;
  return { method: c.op.method.toUpperCase(), url, headers, body };
}

/** The tables of the database (without knex's bookkeeping). */
export async function listTables(db: Knex): Promise<string[]> {
  const client = db.client.config.client as string;
  const rows: { name: string }[] = client === 'pg' || client === 'postgres' || client === 'postgresql'
    ? (await db.raw(`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)).rows
    : await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`);
  return rows.map((r) => r.name).filter((n) => !n.startsWith('knex_')).sort();
}

/**
 * Row counts and a content checksum of every table, in one round trip: PostgreSQL hashes each table
 * server-side (md5 over its rows' text, in a stable order); SQLite (in process) is hashed here.
 */
export async function snapshot(db: Knex, tables: string[]): Promise<string> {
  const client = db.client.config.client as string;
  if (client === 'pg') {
    const sql = tables
      .map((t) => `select '${t}' as t, count(*) as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${t}" x`)
      .join(' union all ');
    const { rows } = await db.raw(sql);
    return (rows as { t: string; n: string; h: string }[]).map((r) => `${r.t}:${r.n}:${r.h}`).join(',');
  }
  const hash = createHash('sha1');
  for (const t of tables) {
    const rows = await db.raw(`select * from "${t}"`);
    hash.update(`${t}:${(rows as unknown[]).length}:`);
    for (const row of rows as unknown[]) hash.update(JSON.stringify(row));
  }
  return hash.digest('hex');
}
