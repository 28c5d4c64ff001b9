// cornflow's wire format: flask.jsonify bodies (compact, non-ASCII as \uXXXX, trailing newline) and
// marshmallow-style validation messages rendered as a Python repr.
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

/** The RawJson texts of the flaskJson call in progress (JSON.stringify is synchronous: one call at a time). */
let collecting: string[] | null = null;

/** JSON text to embed verbatim in a response (e.g. stored data kept losslessly). */
export class RawJson {
  constructor(readonly text: string) {}

  /**
   * Inside flaskJson: a placeholder, replaced by the text after stringifying, so JSON.stringify runs without a
   * replacer function (its fast path; a replacer called for every value was ~9 % of a small request's CPU).
   * Anywhere else: the value the text stands for.
   */
  toJSON(): unknown {
    if (collecting === null) return JSON.parse(this.text);
    collecting.push(this.text);
    return `${RAW_MARK}${collecting.length - 1}`;
  }
}

const NON_ASCII = /[\u007f-\uffff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Escapes every non-ASCII UTF-16 unit as \uXXXX (astral characters become surrogate pairs), like ensure_ascii. */
export function asciiOnly(json: string): string {
  return json.replace(NON_ASCII, escapeChar);
}

// A per-process nonce: a client's string cannot pose as a placeholder.
const NONCE = randomBytes(8).toString('hex');
const RAW_MARK = `\u0000cornflow-raw-${NONCE}:`;
const RAW_TOKEN = new RegExp(`"\\\\u0000cornflow-raw-${NONCE}:(\\d+)"`, 'g');

/**
 * flask.jsonify's text as pieces: the envelope around every RawJson, and each RawJson's text as it is (never
 * copied, so a stored 50 MB text is not duplicated to build the response). Joined, they are flaskJson(value).
 */
export function flaskJsonParts(value: unknown): string[] {
  const raws: string[] = [];
  const outer = collecting;
  collecting = raws;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } finally {
    collecting = outer;
  }
  if (!raws.length || text === undefined) return [`${asciiOnly(text ?? 'null')}\n`];
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(RAW_TOKEN)) {
    parts.push(asciiOnly(text.slice(last, m.index)));
    const raw = raws[Number(m[1])]!;
    parts.push(NON_ASCII_TEST.test(raw) ? asciiOnly(raw) : raw);
    last = m.index! + m[0].length;
  }
  parts.push(`${asciiOnly(text.slice(last))}\n`);
  return parts;
}

const NON_ASCII_TEST = /[\u007f-\uffff]/;

/** Serialises a response body as flask.jsonify does in production (compact, ensure_ascii, "\n"). */
export function flaskJson(value: unknown): string {
  return flaskJsonParts(value).join('');
}

/** Bodies of at least STREAM_BYTES are written in slices of STREAM_SLICE instead of as one string and one Buffer. */
const STREAM_BYTES = 8 * 1024 * 1024;
const STREAM_SLICE = 1 << 20;

/**
 * res.json for cornflow's wire format. A large body (stored data) is written in 1 MB slices as the socket (or
 * the compressor) drains, straight from the stored text: no joined copy of the text and no Buffer of the whole
 * body. Content-Length is set first either way, so compression's threshold sees the size.
 */
export function sendFlaskJson(res: Response, value: unknown): Response {
  if (!res.get('Content-Type')) res.type('application/json');
  const parts = flaskJsonParts(value);
  const length = parts.reduce((n, p) => n + p.length, 0); // ASCII only: characters are bytes
  if (length < STREAM_BYTES || res.req.method === 'HEAD') return res.send(parts.join(''));
  const type = res.get('Content-Type');
  if (typeof type === 'string' && !/;\s*charset=/i.test(type)) res.set('Content-Type', `${type}; charset=utf-8`); // as res.send does
  res.set('Content-Length', String(length));
  writeSlices(res, parts).catch((err: unknown) => res.destroy(err instanceof Error ? err : new Error(String(err))));
  return res;
}

async function writeSlices(res: Response, parts: string[]): Promise<void> {
  // One listener each for the whole body (compression forwards 'drain' listeners to its zlib stream and never
  // removes them, so a `once` per slice would pile up there).
  let wake: (() => void) | undefined;
  const resume = () => wake?.();
  res.on('drain', resume);
  res.on('close', resume);
  try {
    for (const part of parts) {
      for (let i = 0; i < part.length; i += STREAM_SLICE) {
        if (res.destroyed || res.writableEnded) return;
        const slice = Buffer.from(part.length <= STREAM_SLICE ? part : part.slice(i, i + STREAM_SLICE), 'latin1');
        if (!res.write(slice)) await new Promise<void>((resolve) => (wake = resolve));
      }
    }
    if (!res.destroyed) res.end();
  } finally {
    wake = undefined;
  }
}

/** Python repr of a str: single quotes unless the text has ' and no ". */
export function pyStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python repr of nested dicts/lists/str/int as marshmallow error dicts print. */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return pyStr(value);
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

export interface ValidatorIssue {
  path: string;
  message: string;
  errorCode?: string;
}

const LOCATIONS: Record<string, string> = { body: 'json', query: 'query', headers: 'headers', params: 'view_args', cookies: 'cookies' };

function typeMessage(message: string): string {
  const expected = /must be (\w+)/.exec(message)?.[1];
  switch (expected) {
    case 'string':
      return 'Not a valid string.';
    case 'integer':
      return 'Not a valid integer.';
    case 'number':
      return 'Not a valid number.';
    case 'boolean':
      return 'Not a valid boolean.';
    case 'array':
      return 'Not a valid list.';
    default:
      return 'Invalid input type.';
  }
}

function lookup(root: unknown, segments: string[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object' || !(s in (cur as object))) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[s];
  }
  return { found: true, value: cur };
}

/**
 * Turns express-openapi-validator issues into cornflow's 400 text, e.g.
 * "{'json': {'name': ['Missing data for required field.']}}". Field order follows the issues.
 */
export function validationMessage(issues: ValidatorIssue[], request: { body?: unknown; query?: unknown }): string {
  const tree = new Map<string, Map<string | number, unknown>>();
  for (const issue of issues) {
    const segments = issue.path.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const where = segments.shift() ?? 'body';
    const location = LOCATIONS[where] ?? where;
    const code = (issue.errorCode ?? '').replace('.openapi.validation', '');
    const source = where === 'body' ? request.body : where === 'query' ? request.query : undefined;
    const actual = lookup(source, segments);
    let text: string;
    if (code === 'required') text = 'Missing data for required field.';
    else if (code === 'additionalProperties' || code === 'unevaluatedProperties') text = 'Unknown field.';
    else if (actual.found && actual.value === null) text = 'Field may not be null.';
    else if (code === 'type') text = typeMessage(issue.message);
    else if (code === 'format' && /email/.test(issue.message)) text = 'Not a valid email address.';
    else if (code === 'format' && /date-time/.test(issue.message)) text = 'Not a valid datetime.';
    else if (code === 'enum') text = `Must be one of: ${/: (.*)$/.exec(issue.message)?.[1] ?? ''}.`;
    // 2^63 − 1 (the int64 bound of limit/offset) prints as 9223372036854776000 in JavaScript.
    else if (code === 'minimum' || code === 'maximum' || code === 'exclusiveMinimum') text = `Invalid value: ${issue.message.replace('9223372036854776000', '9223372036854775807')}.`;
    else text = `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`;
    if (!segments.length) segments.push('_schema');
    let node = tree.get(location);
    if (!node) tree.set(location, (node = new Map()));
    let cursor: Map<string | number, unknown> = node;
    for (const [i, seg] of segments.entries()) {
      const key: string | number = /^\d+$/.test(seg) && i > 0 ? Number(seg) : seg;
      if (i === segments.length - 1) {
        const list = (cursor.get(key) as string[] | undefined) ?? [];
        if (!list.includes(text) && !list.length) list.push(text);
        cursor.set(key, list);
      } else {
        let next = cursor.get(key);
        if (!(next instanceof Map)) cursor.set(key, (next = new Map()));
        cursor = next as Map<string | number, unknown>;
      }
    }
  }
  return pyRepr(tree);
}
