// cornflow's wire format: flask.jsonify bodies (compact, non-ASCII as \uXXXX, trailing newline) and
// marshmallow-style validation messages rendered as a Python repr.

/** JSON text to embed verbatim in a response (e.g. stored data kept losslessly). */
export class RawJson {
  // No toJSON on purpose: JSON.stringify would call it before flaskJson's replacer could see the instance.
  constructor(readonly text: string) {}
}

const NON_ASCII = /[\u007f-\uffff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Escapes every non-ASCII UTF-16 unit as \uXXXX (astral characters become surrogate pairs), like ensure_ascii. */
export function asciiOnly(json: string): string {
  return json.replace(NON_ASCII, escapeChar);
}

const RAW_MARK = '\u0000cornflow-raw:';
const RAW_TOKEN = /"\\u0000cornflow-raw:(\d+)"/g;

/** Serialises a response body as flask.jsonify does in production (compact, ensure_ascii, "\n"). */
export function flaskJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `${RAW_MARK}${raws.length - 1}`;
    }
    return v;
  });
  const body = raws.length ? text.replace(RAW_TOKEN, (_m, i: string) => raws[Number(i)]!) : text;
  return `${asciiOnly(body ?? 'null')}\n`;
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
