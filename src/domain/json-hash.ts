// Python-compatible JSON for cornflow's data_hash / solution_hash (cornflow-api.md §3.2):
//   sha256(json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")))  (ensure_ascii, allow_nan)
// JSON.parse loses what Python keeps (1.0 vs 1, big ints, -0.0), so requests are parsed losslessly here
// (numbers keep their lexeme) and re-emitted exactly as CPython 3.11 would.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// ---------------------------------------------------------------------------------------------------------
// Values

/** A JSON number as written in the source. Python turns it into an int (exact) or a float (IEEE double). */
export class JsonNumber {
  /** True when Python's json.loads yields an `int` (no fraction, no exponent, not NaN/Infinity). */
  readonly isInteger: boolean;

  /** `isInteger` may only be passed for a lexeme already known to be valid (the parser's fast path). */
  constructor(
    readonly lexeme: string,
    isInteger?: boolean,
  ) {
    if (isInteger === undefined) {
      if (!NUMBER_LEXEME.test(lexeme)) throw new TypeError(`Not a JSON number: ${JSON.stringify(lexeme)}`);
      isInteger = INT_LEXEME.test(lexeme);
    }
    this.isInteger = isInteger;
  }

  /** Lossy for ints beyond 2^53; fine for comparisons and JSON-schema checks. */
  valueOf(): number {
    return Number(this.lexeme);
  }

  toString(): string {
    return this.lexeme;
  }

  /** So that a stray JSON.stringify writes a number, not `{"lexeme":…}`. */
  toJSON(): number {
    return Number(this.lexeme);
  }
}

const NUMBER_LEXEME = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|NaN|-?Infinity)$/;
const INT_LEXEME = /^-?\d+$/;

/** What parseLossless returns: numbers are always JsonNumber. */
export type LosslessJson = null | boolean | string | JsonNumber | LosslessJson[] | { [key: string]: LosslessJson };

/** What pythonDumps accepts: lossless values, plain JSON.parse values (number), and bigint as an int. */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonNumber
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** What toPlain returns: what JSON.parse would have produced. */
export type PlainJson = null | boolean | number | string | PlainJson[] | { [key: string]: PlainJson };

// ---------------------------------------------------------------------------------------------------------
// Parser

export type JsonParseErrorCode =
  /** Python raises json.JSONDecodeError. */
  | 'syntax'
  /** Python 3.11+ raises ValueError: int with more than sys.get_int_max_str_digits() (4300) digits. */
  | 'int_too_long'
  /** Python raises RecursionError (its C scanner shares the ~1000-frame recursion limit). */
  | 'too_deep';

export class JsonParseError extends Error {
  constructor(
    message: string,
    readonly code: JsonParseErrorCode,
    /** Python's short message ("Expecting value"), without the position. */
    readonly reason: string,
    /** UTF-16 index into the text. */
    readonly position: number,
  ) {
    super(message);
    this.name = 'JsonParseError';
  }

  /** Python's `str(JSONDecodeError)`: positions count code points, not UTF-16 units. */
  static at(text: string, reason: string, position: number): JsonParseError {
    let line = 1;
    let char = 0; // code points before `position`
    let lineStart = 0; // code points up to and including the last newline
    for (let i = 0; i < position; i++, char++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        line++;
        lineStart = char + 1;
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < position) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
    const msg = `${reason}: line ${line} column ${char - lineStart + 1} (char ${char})`;
    return new JsonParseError(msg, 'syntax', reason, position);
  }
}

export interface ParseOptions {
  /** Python's int() digit limit (sys.int_info.default_max_str_digits); 0 disables it. */
  maxIntDigits?: number;
  /** Deepest nesting accepted; Python gives up near its recursion limit of 1000. */
  maxDepth?: number;
}

/**
 * Where a tree from parseExact keeps the numbers a plain JS number cannot stand for: on the container, a map
 * from key (or array index) to the number as written. Symbol keys are invisible to JSON-schema validators,
 * Object.keys, for…in and JSON.stringify, so the tree is at the same time what JSON.parse would have given.
 */
export const EXACT: unique symbol = Symbol('cornflow.exactNumbers');

type ExactMap = Map<string | number, JsonNumber>;
type Annotated = { [EXACT]?: ExactMap };

/** What parseExact returns: JSON.parse's values, plus EXACT maps on containers. */
export type ExactJson = null | boolean | number | string | ExactJson[] | { [key: string]: ExactJson };

const DEFAULT_MAX_INT_DIGITS = 4300;
const DEFAULT_MAX_DEPTH = 1000;

/**
 * Parses JSON exactly as Python's json.loads(str) accepts it (strict JSON plus NaN, Infinity, -Infinity;
 * no control characters in strings; whitespace is only space, \t, \n, \r). Numbers keep their lexeme,
 * duplicate keys keep the last value, "__proto__" is an ordinary own key.
 */
export function parseLossless(text: string, options: ParseOptions = {}): LosslessJson {
  return new Parser(text, options, false).parse() as LosslessJson;
}

/**
 * One parse for both uses of a request body: the values JSON.parse would give (numbers are JS numbers, so JSON
 * schemas validate them as usual), with the few numbers whose Python form a JS number loses (an integral float
 * such as 1.0, an int beyond 2^53) kept as JsonNumber in the container's EXACT map, which pythonDumps, dataHash
 * and rawJsonText read. Accepts what JSON.parse accepts and Python's json.loads also accepts (so no NaN or
 * Infinity literal), with Python's limits (nesting, int digits). Strings never share memory with `text`, so the
 * text can be freed as soon as the parse returns.
 */
export function parseExact(text: string, options: ParseOptions = {}): ExactJson {
  return new Parser(text, options, true).parse() as ExactJson;
}

/** The value at `key` of a parseExact object, as a lossless JsonValue (a JsonNumber when the number needs it). */
export function exactMember(container: object, key: string): JsonValue {
  const v = (container as Record<string, JsonValue>)[key];
  return typeof v === 'number' ? exactNumber((container as Annotated)[EXACT], key, v) : v;
}

function exactNumber(exact: ExactMap | undefined, key: string | number, v: number): number | JsonNumber {
  if (exact === undefined) return v;
  const n = exact.get(key);
  // Only while the slot still holds the number that was parsed (a later change to the tree wins).
  return n !== undefined && Object.is(Number(n.lexeme), v) ? n : v;
}

/** A parseExact tree as parseLossless would have returned it (every number a JsonNumber). */
export function exactToLossless(value: JsonValue): LosslessJson {
  if (typeof value === 'number') return new JsonNumber(formatNumber(value), Number.isSafeInteger(value));
  if (value === null || typeof value !== 'object' || value instanceof JsonNumber) return value as LosslessJson;
  const exact = (value as Annotated)[EXACT];
  if (Array.isArray(value)) {
    return (value as readonly JsonValue[]).map((v, i) => exactToLossless(typeof v === 'number' ? exactNumber(exact, i, v) : v));
  }
  const out: { [key: string]: LosslessJson } = {};
  for (const [k, v] of Object.entries(value as { readonly [key: string]: JsonValue })) {
    const converted = exactToLossless(typeof v === 'number' ? exactNumber(exact, k, v) : v);
    if (k === '__proto__') Object.defineProperty(out, k, { value: converted, writable: true, enumerable: true, configurable: true });
    else out[k] = converted;
  }
  return out;
}

/** detach for a string with no quote, backslash or control character: JSON.parse makes a flat copy of it. */
const copyPlain = (s: string): string => (s.length < 13 ? s : (JSON.parse(`"${s}"`) as string));

/** Copies a string that may be a slice of a large text, so it does not keep that text alive. */
const detach = (s: string): string => (s.length < 13 ? s : (' ' + s).slice(1));

type Value = LosslessJson | number;
type Container = (Value[] | { [key: string]: Value }) & Annotated;

// Iterative (explicit stack) so the nesting depth never depends on the JS call stack.
class Parser {
  private pos = 0;
  private readonly maxIntDigits: number;
  private readonly maxDepth: number;

  /** parseExact: a number that needs its lexeme, waiting to be attached to its container's EXACT map. */
  private exact: JsonNumber | undefined;

  constructor(
    private readonly text: string,
    options: ParseOptions,
    /** parseExact's tree instead of parseLossless's. */
    private readonly plain: boolean,
  ) {
    this.maxIntDigits = options.maxIntDigits ?? DEFAULT_MAX_INT_DIGITS;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  parse(): Value {
    const text = this.text;
    if (text.charCodeAt(0) === 0xfeff) throw this.error('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
    const containers: Container[] = [];
    const keys: string[] = []; // the key being filled, per open object ('' for arrays)
    this.skipWs(0);
    let value: Value;
    outer: for (;;) {
      // A value starts at this.pos (whitespace skipped).
      const start = this.pos;
      switch (text.charCodeAt(start)) {
        case 0x22: // "
          value = this.scanString(start + 1);
          break;
        case 0x7b: // {
          if (containers.length >= this.maxDepth) throw this.tooDeep(start);
          this.skipWs(start + 1);
          if (text.charCodeAt(this.pos) === 0x7d) {
            this.pos++;
            value = {};
            break;
          }
          containers.push({});
          keys.push(this.scanKey());
          continue outer;
        case 0x5b: // [
          if (containers.length >= this.maxDepth) throw this.tooDeep(start);
          this.skipWs(start + 1);
          if (text.charCodeAt(this.pos) === 0x5d) {
            this.pos++;
            value = [];
            break;
          }
          containers.push([]);
          keys.push('');
          continue outer;
        case 0x6e: // n
          value = this.literal('null', null);
          break;
        case 0x74: // t
          value = this.literal('true', true);
          break;
        case 0x66: // f
          value = this.literal('false', false);
          break;
        case 0x4e: // N
          value = this.plain ? this.scanNumber(start) : this.literal('NaN', NAN);
          break;
        case 0x49: // I
          value = this.plain ? this.scanNumber(start) : this.literal('Infinity', INFINITY);
          break;
        case 0x2d: // -
          value = !this.plain && text.startsWith('-Infinity', start) ? this.literal('-Infinity', NEG_INFINITY) : this.scanNumber(start);
          break;
        default:
          value = this.scanNumber(start);
      }
      // Attach the finished value to its parent; close every container that ends here.
      for (;;) {
        const depth = containers.length;
        if (depth === 0) break outer;
        const top = containers[depth - 1];
        this.skipWs(this.pos);
        const c = text.charCodeAt(this.pos);
        if (this.exact !== undefined) {
          (top[EXACT] ??= new Map()).set(Array.isArray(top) ? top.length : keys[depth - 1]!, this.exact);
          this.exact = undefined;
        }
        if (Array.isArray(top)) {
          top.push(value);
          if (c === 0x2c) {
            this.skipWs(this.pos + 1);
            continue outer;
          }
          if (c !== 0x5d) throw this.error("Expecting ',' delimiter", this.pos);
        } else {
          const key = keys[depth - 1];
          // Assigning "__proto__" would set the prototype instead of storing the key.
          if (key === '__proto__') {
            Object.defineProperty(top, key, { value, writable: true, enumerable: true, configurable: true });
          } else {
            top[key] = value;
          }
          if (c === 0x2c) {
            this.skipWs(this.pos + 1);
            keys[depth - 1] = this.scanKey();
            continue outer;
          }
          if (c !== 0x7d) throw this.error("Expecting ',' delimiter", this.pos);
        }
        this.pos++;
        containers.pop();
        keys.pop();
        value = top as Value;
      }
    }
    this.skipWs(this.pos);
    if (this.pos !== text.length) throw this.error('Extra data', this.pos);
    return value;
  }

  private skipWs(i: number): void {
    const text = this.text;
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
    this.pos = i;
  }

  /** At a key's opening quote: reads the key, the ':' and the whitespace up to the value. */
  private scanKey(): string {
    if (this.text.charCodeAt(this.pos) !== 0x22) {
      throw this.error('Expecting property name enclosed in double quotes', this.pos);
    }
    const key = this.scanString(this.pos + 1);
    this.skipWs(this.pos);
    if (this.text.charCodeAt(this.pos) !== 0x3a) throw this.error("Expecting ':' delimiter", this.pos);
    this.skipWs(this.pos + 1);
    return key;
  }

  private literal<T extends LosslessJson>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) throw this.error('Expecting value', this.pos);
    this.pos += word.length;
    return value;
  }

  /** `start` is just after the opening quote. */
  private scanString(start: number): string {
    const text = this.text;
    const n = text.length;
    let i = start;
    // Fast path: no escapes, the string is one slice of the source.
    for (;;) {
      if (i >= n) throw this.error('Unterminated string starting at', start - 1);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return this.plain ? copyPlain(text.slice(start, i)) : text.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) throw this.error('Invalid control character at', i);
      i++;
    }
    let out = text.slice(start, i);
    let segment = i; // start of the not yet copied run
    for (;;) {
      if (i >= n) throw this.error('Unterminated string starting at', start - 1);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return this.plain ? detach(out + text.slice(segment, i)) : out + text.slice(segment, i);
      }
      if (c < 0x20) throw this.error('Invalid control character at', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(segment, i);
      if (i + 1 >= n) throw this.error('Unterminated string starting at', start - 1);
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        // \uXXXX: surrogates stay separate code units, which is exactly how JS strings hold a pair, and
        // a lone surrogate stays lone, as in Python.
        // Python also reports a \uXXXX that ends the text as a bad escape, not as an unterminated string.
        const hex = text.slice(i + 2, i + 6);
        if (i + 6 >= n || !HEX4.test(hex)) throw this.error('Invalid \\uXXXX escape', i + 1);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const decoded = SHORT_ESCAPES[e];
        if (decoded === undefined) throw this.error('Invalid \\escape', i);
        out += decoded;
        i += 2;
      }
      segment = i;
    }
  }

  /** Python's NUMBER_RE: -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? ; anything after it is the caller's problem. */
  private scanNumber(start: number): JsonNumber | number {
    const text = this.text;
    let i = start;
    if (text.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (first >= 0x31 && first <= 0x39) {
      do i++;
      while (isDigit(text.charCodeAt(i)));
    } else throw this.error('Expecting value', start);
    let isInteger = true;
    if (text.charCodeAt(i) === 0x2e && isDigit(text.charCodeAt(i + 1))) {
      isInteger = false;
      i += 2;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      let j = i + 1;
      const sign = text.charCodeAt(j);
      if (sign === 0x2b || sign === 0x2d) j++;
      if (isDigit(text.charCodeAt(j))) {
        // Otherwise Python backtracks to the 'e', which then fails as trailing garbage.
        isInteger = false;
        do j++;
        while (isDigit(text.charCodeAt(j)));
        i = j;
      }
    }
    if (isInteger && this.maxIntDigits > 0 && i - intStart > this.maxIntDigits) {
      const msg =
        `Exceeds the limit (${this.maxIntDigits} digits) for integer string conversion: ` +
        `value has ${i - intStart} digits; use sys.set_int_max_str_digits() to increase the limit`;
      throw new JsonParseError(msg, 'int_too_long', msg, start);
    }
    this.pos = i;
    if (this.plain) {
      const lexeme = text.slice(start, i);
      const v = Number(lexeme);
      // A JS number stands for a Python int when it is a safe integer, else for a float (formatNumber): only an
      // int beyond 2^53 and an integral float (1.0, 2e3, -0.0) need the lexeme.
      if (isInteger ? !Number.isSafeInteger(v) : Number.isSafeInteger(v)) this.exact = new JsonNumber(lexeme, isInteger);
      return v;
    }
    if (isInteger && i - start <= 3 && start === intStart) {
      // Small non-negative ints (ids, counts, coefficients) are shared, immutable instances: parsing a large
      // document then allocates far less.
      let n = 0;
      for (let k = start; k < i; k++) n = n * 10 + text.charCodeAt(k) - 0x30;
      return (SMALL_INTS[n] ??= Object.freeze(new JsonNumber(String(n), true)));
    }
    return new JsonNumber(text.slice(start, i), isInteger);
  }

  private error(reason: string, position: number): JsonParseError {
    return JsonParseError.at(this.text, reason, position);
  }

  private tooDeep(position: number): JsonParseError {
    const msg = `JSON nested deeper than ${this.maxDepth} levels`;
    return new JsonParseError(msg, 'too_deep', msg, position);
  }
}

const SMALL_INTS: JsonNumber[] = [];
const NAN = Object.freeze(new JsonNumber('NaN', false));
const INFINITY = Object.freeze(new JsonNumber('Infinity', false));
const NEG_INFINITY = Object.freeze(new JsonNumber('-Infinity', false));

const HEX4 = /^[0-9a-fA-F]{4}$/;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

// ---------------------------------------------------------------------------------------------------------
// Python json.dumps(value, sort_keys=…, separators=(",", ":")), ensure_ascii=True, allow_nan=True

/** Python's float.__repr__ (shortest round-trip digits), as json.dumps writes floats; inf/nan as JSON does. */
export function pyFloatRepr(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  // Python writes positional notation exactly for 1e-4 <= |x| < 1e16; JS String() is positional there too
  // and both pick the same shortest digits, only Python adds ".0" to integral values.
  if (ax >= 1e-4 && ax < 1e16) {
    const s = String(x);
    return s.includes('.') ? s : s + '.0';
  }
  // Elsewhere both use d.ddde±N; Python pads the exponent to two digits.
  const s = x.toExponential();
  const e = s.indexOf('e');
  const exp = s.slice(e + 2);
  return s.slice(0, e + 2) + (exp.length < 2 ? '0' + exp : exp);
}

// A plain JS number has lost whether it was written "1" or "1.0": a safe integer is taken as a Python int
// (what JSON.parse('1') came from; -0 becomes 0 as int does), anything else as a float (1e300 was surely
// written as one). Exact ints beyond 2^53 need JsonNumber or bigint.
const formatNumber = (x: number): string => (Number.isSafeInteger(x) ? String(x) : pyFloatRepr(x));

function formatJsonNumber(n: JsonNumber): string {
  const s = n.lexeme;
  if (n.isInteger) return s === '-0' ? '0' : s; // Python int: exact digits, no "-0"
  return isFloatRepr(s) ? s : pyFloatRepr(Number(s)); // float(lexeme): both correctly rounded, then repr
}

/**
 * Whether a float lexeme already is its own Python repr, which saves a double→string conversion for the
 * usual "12.375": positional, at most 15 digits (any such decimal is the shortest repr of its double),
 * no trailing zero unless it is the ".0" of an integral value, and not below 1e-4 (repr would use e-05).
 */
function isFloatRepr(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 0x2d ? 1 : 0;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (i === n || s.charCodeAt(i) !== 0x2e) return false; // exponent, or NaN/Infinity
  const intDigits = i - intStart;
  const fracStart = i + 1;
  for (i = fracStart; i < n; i++) if (!isDigit(s.charCodeAt(i))) return false;
  const fracDigits = n - fracStart;
  if (s.charCodeAt(n - 1) === 0x30 && fracDigits !== 1) return false;
  if (intDigits === 1 && s.charCodeAt(intStart) === 0x30) {
    // 0.000d is the smallest positional repr; "0.0" itself is fine.
    if (fracDigits > 1 && s.startsWith('0000', fracStart)) return false;
    return fracDigits <= 15;
  }
  // "x.0" has only the integer digits; otherwise every digit counts.
  return (s.charCodeAt(fracStart) === 0x30 && fracDigits === 1 ? intDigits : intDigits + fracDigits) <= 15;
}

/**
 * Python orders str by code point; JS sorts by UTF-16 unit. They disagree only when a surrogate meets a unit
 * in U+E000–U+FFFF, so compare code points from the first difference (a lone surrogate is its own code point).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // After a shared high surrogate, the differing units may be the second halves of pairs: compare the code
  // points starting there. If those agree, both high surrogates were lone and code points start at i.
  const prev = i > 0 ? a.charCodeAt(i - 1) : 0;
  if (prev >= 0xd800 && prev <= 0xdbff) {
    const diff = a.codePointAt(i - 1)! - b.codePointAt(i - 1)!;
    if (diff !== 0) return diff;
  }
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

const HAS_SURROGATE = /[\ud800-\udfff]/;

function sortKeys(keys: string[]): string[] {
  for (const k of keys) if (HAS_SURROGATE.test(k)) return keys.sort(compareCodePoints);
  return keys.sort(); // without surrogates, UTF-16 order is code point order (and the native sort is faster)
}

// Output bytes for each ASCII unit: 0 = as is, else the second byte of a short escape, or 0x75 ('u') for \u00XX.
const ESCAPE = new Uint8Array(0x80);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 0x75;
ESCAPE[0x7f] = 0x75; // DEL is outside Python's printable range
Object.assign(ESCAPE, { 0x22: 0x22, 0x5c: 0x5c, 0x0a: 0x6e, 0x0d: 0x72, 0x09: 0x74, 0x08: 0x62, 0x0c: 0x66 });
const HEX = [...'0123456789abcdef'].map((c) => c.charCodeAt(0)); // Python writes lowercase hex

/** Receives output; the bytes are only valid during the call. */
type ChunkSink = (chunk: Uint8Array) => void;

const CHUNK = 1 << 16;

interface Frame {
  items: readonly JsonValue[] | null;
  obj: { readonly [key: string]: JsonValue } | null;
  keys: string[] | null;
  i: number;
  /** The container's EXACT map (parseExact trees). */
  exact: ExactMap | undefined;
}

/**
 * Writes Python's output as ASCII bytes straight into a reused buffer (no string concatenation, little
 * garbage) and hands full chunks to a sink. Iterative, so it can stop after a budget of output (hashing in
 * slices between event-loop turns) and depth never touches the JS call stack.
 */
class PyDumper {
  done = false;
  /** Bytes handed to the sink so far. */
  flushed = 0;
  private readonly out = new Uint8Array(CHUNK);
  private p = 0;
  private readonly stack: Frame[] = [];
  private next: JsonValue;
  private hasNext = true;

  constructor(
    root: JsonValue,
    private readonly sortKeys: boolean,
    private readonly sink: ChunkSink,
  ) {
    this.next = root;
  }

  /** Writes until done (all output flushed) or until `flushLimit` bytes have been flushed in total. */
  run(flushLimit = Infinity): void {
    const stack = this.stack;
    while (!this.done && this.flushed < flushLimit) {
      if (this.hasNext) {
        this.hasNext = false;
        this.value(this.next);
      }
      const top = stack[stack.length - 1];
      if (top === undefined) {
        this.flush();
        this.done = true;
      } else if (top.items !== null) {
        if (top.i < top.items.length) {
          if (top.i !== 0) this.byte(0x2c);
          const v = top.items[top.i];
          this.next = typeof v === 'number' && top.exact !== undefined ? exactNumber(top.exact, top.i, v) : v;
          top.i++;
          this.hasNext = true;
        } else {
          this.byte(0x5d);
          stack.pop();
        }
      } else {
        const keys = top.keys!;
        if (top.i < keys.length) {
          const key = keys[top.i];
          if (top.i++ !== 0) this.byte(0x2c);
          this.string(key);
          this.byte(0x3a);
          const v = top.obj![key];
          this.next = typeof v === 'number' && top.exact !== undefined ? exactNumber(top.exact, key, v) : v;
          this.hasNext = true;
        } else {
          this.byte(0x7d);
          stack.pop();
        }
      }
    }
  }

  /** Writes a scalar, or the opening bracket of a container (whose items run() then walks). */
  private value(v: JsonValue): void {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.ascii(formatNumber(v));
      case 'boolean':
        return this.ascii(v ? 'true' : 'false');
      case 'bigint':
        return this.ascii(v.toString());
      case 'object':
        if (v === null) return this.ascii('null');
        if (v instanceof JsonNumber) return this.ascii(formatJsonNumber(v));
        if (Array.isArray(v)) {
          this.byte(0x5b);
          return this.push({ items: v as readonly JsonValue[], obj: null, keys: null, i: 0, exact: (v as Annotated)[EXACT] });
        }
        {
          const proto: unknown = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) throw notSerializable(v);
          const obj = v as { readonly [key: string]: JsonValue };
          const keys = Object.keys(obj);
          this.byte(0x7b);
          return this.push({ items: null, obj, keys: this.sortKeys ? sortKeys(keys) : keys, i: 0, exact: (obj as Annotated)[EXACT] });
        }
      default:
        throw notSerializable(v);
    }
  }

  private byte(c: number): void {
    if (this.p === CHUNK) this.flush();
    this.out[this.p++] = c;
  }

  private ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  /** Python's encode_basestring_ascii, one UTF-16 unit at a time: astral characters become surrogate-pair
   * escapes and lone surrogates stay lone, as in Python. */
  private string(s: string): void {
    this.byte(0x22);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      const e = c < 0x80 ? ESCAPE[c] : 0x75;
      if (e === 0) {
        this.byte(c);
        continue;
      }
      this.byte(0x5c);
      this.byte(e);
      if (e === 0x75) {
        this.byte(HEX[c >> 12]);
        this.byte(HEX[(c >> 8) & 15]);
        this.byte(HEX[(c >> 4) & 15]);
        this.byte(HEX[c & 15]);
      }
    }
    this.byte(0x22);
  }

  private flush(): void {
    if (this.p === 0) return;
    this.sink(this.out.subarray(0, this.p));
    this.flushed += this.p;
    this.p = 0;
  }

  private push(frame: Frame): void {
    const stack = this.stack;
    stack.push(frame);
    // A cycle would otherwise produce output forever. Checking at depths 1024, 2048, 4096… finds one (the stack
    // repeats itself) at linear total cost.
    if (stack.length >= 1024 && (stack.length & (stack.length - 1)) === 0) {
      const seen = new Set<object>();
      for (const f of stack) {
        const c = f.items ?? f.obj!;
        if (seen.has(c)) throw new TypeError('Circular reference detected');
        seen.add(c);
      }
    }
  }
}

function notSerializable(v: unknown): TypeError {
  const type = v === undefined ? 'undefined' : typeof v === 'object' ? (v!.constructor?.name ?? 'object') : typeof v;
  return new TypeError(`Object of type ${type} is not JSON serializable`);
}

export interface DumpOptions {
  sortKeys: boolean;
}

/** Byte-exact `json.dumps(value, sort_keys=…, separators=(",", ":"))` of the value Python would hold. */
export function pythonDumps(value: JsonValue, options: DumpOptions): string {
  const parts: string[] = [];
  new PyDumper(value, options.sortKeys, (chunk) => parts.push(latin1(chunk))).run();
  return parts.join('');
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');

/** The text to store: Python's compact dumps, keys in object order. */
export function rawJsonText(value: JsonValue): string {
  return pythonDumps(value, { sortKeys: false });
}

/**
 * rawJsonText's text as bytes (it is ASCII) in one Buffer of the exact size: a first pass counts, a second
 * writes. For large values, where the string plus the pieces it is joined from would take twice the size.
 */
export function rawJsonBytes(value: JsonValue): Buffer {
  let size = 0;
  new PyDumper(value, false, (chunk) => (size += chunk.length)).run();
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  new PyDumper(value, false, (chunk) => {
    out.set(chunk, at);
    at += chunk.length;
  }).run();
  return out;
}

/** Plain JS values (for JSON-schema validation): JsonNumber → number (big ints lose precision). */
export function toPlain(value: JsonValue): PlainJson {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? Number(value) : (value as PlainJson);
  }
  if (value instanceof JsonNumber) return Number(value.lexeme);
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(toPlain);
  const out: { [key: string]: PlainJson } = {};
  for (const [k, v] of Object.entries(value as { readonly [key: string]: JsonValue })) {
    // Assigning "__proto__" would set the prototype instead of storing the key.
    if (k === '__proto__') {
      Object.defineProperty(out, k, { value: toPlain(v), writable: true, enumerable: true, configurable: true });
    } else {
      out[k] = toPlain(v);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Hashing

/** cornflow's data_hash / solution_hash of a value. */
export function dataHash(value: JsonValue): string {
  const hash = createHash('sha256');
  new PyDumper(value, true, (chunk) => hash.update(chunk)).run();
  return hash.digest('hex');
}

/** data_hash of a request body given as text (what Python would hash after json.loads). */
export function dataHashOfText(text: string): string {
  return dataHash(parseLossless(text));
}

/** Output written between two event-loop turns by dataHashAsync: a few milliseconds of work. */
const ASYNC_SLICE = 1 << 18;

/**
 * dataHash without holding the event loop: a large value is serialised in slices, yielding with
 * setImmediate between them. A small value finishes in the first slice.
 */
export async function dataHashAsync(value: JsonValue): Promise<string> {
  const hash = createHash('sha256');
  const dumper = new PyDumper(value, true, (chunk) => hash.update(chunk));
  for (;;) {
    dumper.run(dumper.flushed + ASYNC_SLICE);
    if (dumper.done) return hash.digest('hex');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Inputs longer than this (UTF-16 units or bytes, ~1 MB) are parsed and hashed in a worker thread. */
export const WORKER_THRESHOLD = 1 << 20;

/** Strict UTF-8 as webargs decodes a body (`bytes.decode("utf-8")`): invalid bytes fail, a BOM is kept
 * (and then rejected by the parser, as json.loads rejects it). */
export function decodeUtf8Strict(bytes: Uint8Array | readonly Uint8Array[]): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    if (bytes instanceof Uint8Array) return decoder.decode(bytes);
    let text = '';
    for (const chunk of bytes) text += decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  } catch {
    const msg = 'Bytes decoding error : invalid utf-8';
    throw new JsonParseError(msg, 'syntax', msg, 0);
  }
}

/**
 * dataHashOfText off the main thread for large inputs (parsing and hashing 50 MB takes seconds). Accepts the
 * text, or the raw body bytes (decoded as strict UTF-8). Rejects with JsonParseError as dataHashOfText throws.
 */
export async function dataHashOfTextAsync(input: string | Uint8Array): Promise<string> {
  if (input.length <= WORKER_THRESHOLD) {
    return dataHashOfText(typeof input === 'string' ? input : decodeUtf8Strict(input));
  }
  const job = await toWorkerJob(input);
  return new Promise((resolve, reject) => {
    queue.push({ job, resolve, reject });
    dispatch();
  });
}

/** What a worker receives: UTF-8 chunks (transferred, not copied), or a text that UTF-8 cannot carry. */
export interface WorkerJob {
  chunks: Uint8Array[];
  text?: string;
}

const TRANSFER_CHUNK = 1 << 20;
const encoder = new TextEncoder();

/**
 * Cloning a 50 MB string into postMessage blocks the main thread for hundreds of milliseconds, so the input is
 * cut into fresh 1 MB buffers between event-loop turns and those are transferred.
 */
async function toWorkerJob(input: string | Uint8Array): Promise<WorkerJob> {
  // A lone surrogate (possible in a JS string, never in a decoded body) would not survive UTF-8.
  if (typeof input === 'string' && !isWellFormed(input)) return { chunks: [], text: input };
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < input.length; ) {
    let end = Math.min(input.length, i + TRANSFER_CHUNK);
    if (typeof input === 'string') {
      const last = input.charCodeAt(end - 1);
      if (end < input.length && last >= 0xd800 && last <= 0xdbff) end--; // keep surrogate pairs whole
      chunks.push(encoder.encode(input.slice(i, end)));
    } else {
      chunks.push(new Uint8Array(input.subarray(i, end))); // a copy into a fresh, transferable buffer
    }
    i = end;
    if (i < input.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { chunks };
}

// Node 20 has String.prototype.isWellFormed; the ES2023 lib typings do not declare it.
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

// --- worker pool: at most MAX_WORKERS threads, created on demand, reused, never keeping the process alive

/** Message from json-hash-worker. */
export type WorkerReply =
  | { ok: true; hash: string }
  | { ok: false; message: string; code?: JsonParseErrorCode; reason?: string; position?: number };

interface Task {
  job: WorkerJob;
  resolve: (hash: string) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  task: Task | null;
}

const MAX_WORKERS = 2;
const pool: PoolWorker[] = [];
const queue: Task[] = [];

function dispatch(): void {
  while (queue.length > 0) {
    let pw = pool.find((p) => p.task === null);
    if (pw === undefined) {
      if (pool.length >= MAX_WORKERS) return;
      pw = spawnWorker();
    }
    const task = queue.shift()!;
    pw.task = task;
    pw.worker.ref(); // a pending hash keeps the process alive, an idle worker does not
    pw.worker.postMessage(
      task.job,
      task.job.chunks.map((c) => c.buffer as ArrayBuffer),
    );
  }
}

function spawnWorker(): PoolWorker {
  // Compiled, both files are .js under dist/. Under tsx this module is src/domain/json-hash.ts and the worker
  // must load tsx itself; `execArgv: ['--import', 'tsx']` is not enough on Node 20 (tsx only installs its
  // hooks from --import on the main thread there), so a tiny bootstrap registers tsx, then imports the file.
  const isTs = import.meta.url.endsWith('.ts');
  const url = new URL(isTs ? './json-hash-worker.ts' : './json-hash-worker.js', import.meta.url);
  // (createRequire, not import.meta.resolve: mocha may load this file through tsx's CommonJS transform.)
  const worker = isTs
    ? new Worker(
        `require(${JSON.stringify(createRequire(import.meta.url).resolve('tsx/esm/api'))}).register();` +
          `import(${JSON.stringify(url.href)});`,
        { eval: true, execArgv: [] },
      )
    : new Worker(url, { execArgv: [] });
  worker.unref();
  const pw: PoolWorker = { worker, task: null };
  pool.push(pw);
  const finish = (settle: (task: Task) => void): void => {
    const task = pw.task;
    pw.task = null;
    worker.unref();
    if (task) settle(task);
    dispatch();
  };
  const retire = (err: Error): void => {
    const i = pool.indexOf(pw);
    if (i >= 0) pool.splice(i, 1);
    finish((task) => task.reject(err));
  };
  worker.on('message', (reply: WorkerReply) =>
    finish((task) => (reply.ok ? task.resolve(reply.hash) : task.reject(replyError(reply)))),
  );
  worker.on('error', retire);
  worker.on('exit', (code) => retire(new Error(`json-hash worker exited with code ${code}`)));
  return pw;
}

function replyError(reply: Extract<WorkerReply, { ok: false }>): Error {
  if (reply.code === undefined) return new Error(reply.message);
  return new JsonParseError(reply.message, reply.code, reply.reason ?? reply.message, reply.position ?? 0);
}
