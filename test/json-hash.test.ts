// Python-compatible JSON hashing (cornflow-api.md §3.2). The property tests compare against the real
// CPython (python3 on PATH), one python3 process per test.

import { expect } from 'chai';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  JsonNumber,
  JsonParseError,
  compareCodePoints,
  dataHash,
  dataHashAsync,
  dataHashOfText,
  dataHashOfTextAsync,
  parseLossless,
  pythonDumps,
  rawJsonText,
  toPlain,
  type JsonValue,
} from '../src/domain/json-hash.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';

// Reads a JSON array of documents (texts) on stdin; prints, per document, the sha256 of
// json.dumps(json.loads(doc), sort_keys=True, separators=(",", ":")), or "error: <message>" when json.loads fails.
const PYTHON_HASHES = `
import hashlib, json, sys
docs = json.loads(sys.stdin.buffer.read().decode("utf-8"))
out = []
for doc in docs:
    try:
        value = json.loads(doc)
    except ValueError as e:
        out.append("error: " + str(e).replace("\\n", " "))
        continue
    out.append(hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest())
sys.stdout.write("\\n".join(out) + "\\n")
`;

function pythonHashes(docs: readonly string[]): string[] {
  // JSON.stringify escapes lone surrogates, so the documents reach Python unchanged.
  const run = spawnSync('python3', ['-c', PYTHON_HASHES], {
    input: JSON.stringify(docs),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr || run.error}`);
  const lines = run.stdout.split('\n').slice(0, -1);
  expect(lines).to.have.length(docs.length);
  return lines;
}

/** Our answer in the same shape as pythonHashes. */
function ourHash(doc: string): string {
  try {
    return dataHashOfText(doc);
  } catch (err) {
    if (err instanceof JsonParseError) return `error: ${err.message}`;
    throw err;
  }
}

const dumpText = (text: string, sortKeys = true): string => pythonDumps(parseLossless(text), { sortKeys });

describe('json-hash: Python-compatible data_hash', () => {
  describe('known vectors', () => {
    it('hashes the cornflow vectors', () => {
      expect(dataHash(null)).to.equal('74234e98afe7498fb5daf1f36ac2d78acc339464f950703b8c019892f982b90b');
      expect(dataHash({})).to.equal('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
      expect(dataHashOfText('{"hello":"goodbye","123":456}')).to.equal(
        '72804f4e0847a477ee69eae4fbf404b03a6c220bacf8d5df34c964985acd473f',
      );
      expect(dataHashOfText('{"b":1,"a":[1.0,"é"]}')).to.equal(
        'db1687b3ac52754dd6b6898e6c510250628cd3bfb96e298f984312e8d62003cc',
      );
    });

    it('hashes the data of new_instance.json', async () => {
      const body = parseLossless(readFileSync(`${TESTDATA}/new_instance.json`, 'utf8'));
      const data = (body as { [key: string]: JsonValue }).data;
      const expected = '4e1ad86aa70efc6e588744aa4b2300cb9aea516b6bea9355bd00c50dac1ee6a2';
      expect(dataHash(data)).to.equal(expected);
      expect(await dataHashAsync(data)).to.equal(expected);
    });

    it('agrees with Python on every reference test-data file', () => {
      const docs = listTestData();
      expect(docs.map(ourHash)).to.deep.equal(pythonHashes(docs));
    });

    it('gives the same hash for plain JSON.parse values when the text has no floats written as ints', () => {
      const text = '{"b":[1,2.5,"x",null,true],"a":{"c":-3,"d":1e-7}}';
      expect(dataHash(JSON.parse(text) as JsonValue)).to.equal(dataHashOfText(text));
    });
  });

  describe('numbers', () => {
    // Expected values are CPython 3.11's json.dumps(json.loads(lexeme)).
    const table: [string, string][] = [
      ['1.0', '1.0'],
      ['1e16', '1e+16'],
      ['1E2', '100.0'],
      ['1e+2', '100.0'],
      ['1e-5', '1e-05'],
      ['0.0001', '0.0001'],
      ['0.000123', '0.000123'],
      ['0.1', '0.1'],
      ['1e22', '1e+22'],
      ['1e21', '1e+21'],
      ['5e-324', '5e-324'],
      ['1.7976931348623157e308', '1.7976931348623157e+308'],
      ['2.2250738585072014e-308', '2.2250738585072014e-308'],
      ['123456789.123456789', '123456789.12345679'],
      ['9007199254740993', '9007199254740993'],
      ['9007199254740993.0', '9007199254740992.0'],
      ['123456789012345678901234567890', '123456789012345678901234567890'],
      ['-0.0', '-0.0'],
      ['-0', '0'],
      ['0', '0'],
      ['-5', '-5'],
      ['1e400', 'Infinity'],
      ['-1e400', '-Infinity'],
      ['1e-400', '0.0'],
      ['-1e-400', '-0.0'],
      ['1e15', '1000000000000000.0'],
      ['9999999999999998.0', '9999999999999998.0'],
      ['12345678901234567.0', '1.2345678901234568e+16'],
      ['1234567890123456.7', '1234567890123456.8'],
      ['1.5e300', '1.5e+300'],
      ['1e100', '1e+100'],
      ['0.00012345', '0.00012345'],
      ['1.2345e-5', '1.2345e-05'],
      ['-1.5e-7', '-1.5e-07'],
      ['1.0e-10', '1e-10'],
      ['2.5E-3', '0.0025'],
      ['12e-1', '1.2'],
      ['0.1e1', '1.0'],
      ['100e-2', '1.0'],
      ['1.50', '1.5'],
      ['0.30000000000000004', '0.30000000000000004'],
      ['4.35', '4.35'],
      ['NaN', 'NaN'],
      ['Infinity', 'Infinity'],
      ['-Infinity', '-Infinity'],
    ];
    for (const [lexeme, expected] of table) {
      it(`${lexeme} → ${expected}`, () => {
        const value = parseLossless(lexeme);
        expect(value).to.be.instanceOf(JsonNumber);
        expect((value as JsonNumber).lexeme).to.equal(lexeme);
        expect(pythonDumps(value, { sortKeys: true })).to.equal(expected);
      });
    }

    it('writes plain JS numbers as Python would (safe integer → int, else float repr)', () => {
      const cases: [JsonValue, string][] = [
        [1, '1'],
        [-0, '0'],
        [1.5, '1.5'],
        [0.1, '0.1'],
        [2 ** 53 - 1, '9007199254740991'],
        [2 ** 53, '9007199254740992.0'],
        [1e21, '1e+21'],
        [1e-7, '1e-07'],
        [1.5e300, '1.5e+300'],
        [Number.NaN, 'NaN'],
        [Number.NEGATIVE_INFINITY, '-Infinity'],
        [2n ** 64n, '18446744073709551616'],
        [new JsonNumber('2.50'), '2.5'],
      ];
      for (const [value, expected] of cases) expect(pythonDumps(value, { sortKeys: true })).to.equal(expected);
    });

    it('rejects an invalid JsonNumber lexeme', () => {
      expect(() => new JsonNumber('01')).to.throw(TypeError);
      expect(new JsonNumber('-12').isInteger).to.equal(true);
      expect(new JsonNumber('1e2').isInteger).to.equal(false);
    });
  });

  describe('strings', () => {
    it('escapes like ensure_ascii=True', () => {
      const text = String.raw`"\"\\/\n\r\t\b\f\u0000\u001f\u007f` + '\x7f é € 😀 ' + String.raw`\ud800 \udc00x \u2028 ~"`;
      expect(dumpText(text)).to.equal(
        String.raw`"\"\\/\n\r\t\b\f\u0000\u001f\u007f\u007f \u00e9 \u20ac \ud83d\ude00 \ud800 \udc00x \u2028 ~"`,
      );
    });

    it('decodes escapes, including lone surrogates and upper-case hex', () => {
      expect(parseLossless(String.raw`"\ud800|\uDBFF\uDFFF|\u00E9|\/"`)).to.equal('\ud800|\u{10ffff}|é|/');
    });
  });

  describe('objects', () => {
    it('sorts keys by code point, not UTF-16 unit', () => {
      const text = String.raw`{"\ue000":0,"\ud83d\ude00":1,"a":2,"\uffff":3,"\u00e9":4,"\ud7ff":5,"\ud800\udc00":6,"B":7,"":8,"aa":9,"\udbff\udfff":10,"\ud800":11,"\udc00":12,"\ud800x":13}`;
      expect(dumpText(text)).to.equal(
        String.raw`{"":8,"B":7,"a":2,"aa":9,"\u00e9":4,"\ud7ff":5,"\ud800":11,"\ud800x":13,"\udc00":12,"\ue000":0,"\uffff":3,"\ud800\udc00":6,"\ud83d\ude00":1,"\udbff\udfff":10}`,
      );
      expect(dataHashOfText(text)).to.equal('3300ac98bd0ebb310ac2da6a2a435b824f6929c673818bf9124d42fd2995f8e1');
    });

    it('compareCodePoints orders as code point sequences', () => {
      const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0)!);
      const reference = (a: string, b: string): number => {
        const x = codePoints(a);
        const y = codePoints(b);
        for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
        return x.length - y.length;
      };
      const unit = fc.constantFrom('a', 'é', '\ud7ff', '\ud800', '\udbff', '\udc00', '\ue000', '\uffff', '😀', '\u{10000}');
      const str = fc.array(unit, { maxLength: 4 }).map((u) => u.join(''));
      fc.assert(
        fc.property(str, str, (a, b) => Math.sign(compareCodePoints(a, b)) === Math.sign(reference(a, b))),
        { numRuns: 500, seed: 20261126 },
      );
    });

    it('keeps the last of duplicate keys at the first position, like a Python dict', () => {
      expect(dumpText('{"b":1,"a":2,"b":3}', false)).to.equal('{"b":3,"a":2}');
      expect(dumpText('{"b":1,"a":2,"b":3}')).to.equal('{"a":2,"b":3}');
    });

    it('stores "__proto__" as an ordinary key', () => {
      const value = parseLossless('{"__proto__":{"x":1},"y":2}') as { [key: string]: JsonValue };
      expect(Object.getPrototypeOf(value)).to.equal(Object.prototype);
      expect(Object.keys(value)).to.deep.equal(['__proto__', 'y']);
      expect(rawJsonText(value)).to.equal('{"__proto__":{"x":1},"y":2}');
      expect(Object.keys(toPlain(value) as object)).to.deep.equal(['__proto__', 'y']);
    });

    it('rawJsonText keeps object order and compacts', () => {
      expect(rawJsonText(parseLossless('{ "z" : [1.0, -0, 1E2], "a" : "é" }'))).to.equal('{"z":[1.0,0,100.0],"a":"\\u00e9"}');
    });
  });

  describe('toPlain', () => {
    it('turns JsonNumber into numbers and keeps the rest', () => {
      const value = parseLossless('{"a":[1.0,2,"x",null,true,{"b":1e400}],"c":NaN}');
      expect(toPlain(value)).to.deep.equal({ a: [1, 2, 'x', null, true, { b: Infinity }], c: Number.NaN });
    });
  });

  describe('parse errors', () => {
    const invalid = [
      '', '  ', '[1,]', '{"a":1,}', '{"a" 1}', '[1 2]', '"abc', String.raw`"a\x"`, String.raw`"\u12G4"`,
      String.raw`"\u0041`, '01', '"\x01"', '"\t"', 'nul', '[', '{', '-', '1e', '1.', '.5', '+1', '[-]', '0x10',
      'tru', '{a:1}', '\ufeff1', '[1]x', 'NaN1', '-Infinityx', 'nan', '-infinity', "'a'", '[1,2', '{"a":',
      '{"a"', '"abc\\', '1 2', '\u00a01', '[1]\u00a0', '{"a":1}}',
    ];

    it('rejects what Python rejects, with Python\'s message', () => {
      expect(invalid.map(ourHash)).to.deep.equal(pythonHashes(invalid));
    });

    it('throws a typed error with the position', () => {
      const err = catchError(() => parseLossless('{"a":\n [1,]}'));
      expect(err).to.be.instanceOf(JsonParseError);
      expect(err).to.include({ code: 'syntax', reason: 'Expecting value', position: 10 });
      expect(err.message).to.equal('Expecting value: line 2 column 5 (char 10)');
    });

    it("applies Python 3.11's 4300-digit limit to ints only", () => {
      expect(dumpText('1'.repeat(4300))).to.equal('1'.repeat(4300));
      expect(dumpText('-' + '1'.repeat(4300))).to.equal('-' + '1'.repeat(4300));
      expect(catchError(() => parseLossless(`[${'1'.repeat(4301)}]`))).to.include({ code: 'int_too_long' });
      expect(dumpText('1'.repeat(5000) + '.0')).to.equal('Infinity');
    });

    it('limits nesting like Python does, and handles deep documents without recursion', () => {
      const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
      expect(dumpText(nested(1000))).to.equal(nested(1000));
      expect(catchError(() => parseLossless(nested(1001)))).to.include({ code: 'too_deep' });
      const deep = parseLossless(nested(200_000), { maxDepth: Infinity });
      expect(rawJsonText(deep)).to.have.length(400_000);
      expect(dataHash(deep)).to.have.length(64);
    });
  });

  describe('values that Python cannot serialise', () => {
    it('throws TypeError', () => {
      const cyclic: { [key: string]: JsonValue } = {};
      (cyclic as { self?: unknown }).self = cyclic;
      expect(() => dataHash(cyclic)).to.throw(TypeError, /Circular/);
      expect(() => dataHash(new Date() as unknown as JsonValue)).to.throw(TypeError, /Date/);
      expect(() => dataHash([undefined] as unknown as JsonValue)).to.throw(TypeError, /undefined/);
    });
  });

  // Seeded so the suite is reproducible; CORNFLOW_TEST_SEED explores other seeds. Known limit: a JS string
  // cannot tell an escaped lone high surrogate followed by a raw lone low surrogate (Python keeps two code
  // points) from a real pair; such text is not valid UTF-8, so it cannot arrive in a request body.
  const baseSeed = Number(process.env.CORNFLOW_TEST_SEED ?? 20261126);
  describe('against CPython on random documents', () => {
    it('hashes 400 random documents exactly as Python', () => {
      const seed = baseSeed;
      const docs = fc.sample(documentText, { numRuns: 400, seed });
      expectSameAsPython(docs, seed);
    });

    it('accepts and rejects 400 mutated documents exactly as Python', () => {
      const seed = baseSeed + 1;
      const docs = fc.sample(mutatedDocumentText, { numRuns: 400, seed });
      expectSameAsPython(docs, seed);
    });
  });

  describe('async hashing', function () {
    this.timeout(60_000); // 20 MB documents on a busy CI machine

    let big = '';
    let expected = '';
    before(() => {
      big = bigDocument(20 << 20);
      expected = dataHashOfText(big);
    });

    it('hashes a 20 MB text in a worker while the event loop keeps turning', async () => {
      const run = await ticksDuring(() => dataHashOfTextAsync(big));
      expect(run.events).to.deep.equal(['tick', 'tick', 'hash']);
      expect(run.hash).to.equal(expected);
    });

    it('hashes the same 20 MB as raw body bytes in a worker, event loop turning', async () => {
      const run = await ticksDuring(() => dataHashOfTextAsync(Buffer.from(big, 'utf8')));
      expect(run.events).to.deep.equal(['tick', 'tick', 'hash']);
      expect(run.hash).to.equal(expected);
    });

    it('hashes the parsed 20 MB value in slices on the main thread, event loop turning', async () => {
      const value = parseLossless(big);
      const run = await ticksDuring(() => dataHashAsync(value));
      expect(run.events).to.deep.equal(['tick', 'tick', 'hash']);
      expect(run.hash).to.equal(expected);
    });

    it('runs several large hashes through the pool', async () => {
      const texts = [1, 2, 3].map((n) => bigDocument((2 << 20) + n));
      const hashes = await Promise.all(texts.map((t) => dataHashOfTextAsync(t)));
      expect(hashes).to.deep.equal(texts.map(dataHashOfText));
    });

    it('rejects invalid large input with JsonParseError', async () => {
      const text = bigDocument(2 << 20);
      const bad = await dataHashOfTextAsync(text + ',').catch((e: unknown) => e);
      expect(bad).to.be.instanceOf(JsonParseError);
      expect(bad).to.include({ code: 'syntax', reason: 'Extra data', position: text.length });
      const badBytes = Buffer.concat([Buffer.from(text), Buffer.from([0xff])]);
      expect(await dataHashOfTextAsync(badBytes).catch((e: unknown) => e)).to.be.instanceOf(JsonParseError);
    });

    it('keeps a lone surrogate in a large text (it cannot travel as UTF-8)', async () => {
      const text = `["\ud800",${bigDocument(2 << 20)}]`;
      expect(await dataHashOfTextAsync(text)).to.equal(dataHashOfText(text));
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// helpers

function listTestData(): string[] {
  const names = ['new_instance.json', 'new_instance_2.json', 'new_case_raw.json', 'new_case_raw_2.json',
    'new_execution_solution.json', 'gc_50_3_log.json', 'pulp_json_schema.json', 'json_patch_good.json'];
  return names.map((n) => readFileSync(`${TESTDATA}/${n}`, 'utf8'));
}

function catchError(f: () => unknown): JsonParseError {
  try {
    f();
  } catch (err) {
    if (err instanceof JsonParseError) return err;
    throw err;
  }
  throw new Error('expected a JsonParseError');
}

function expectSameAsPython(docs: string[], seed: number): void {
  const expected = pythonHashes(docs);
  docs.forEach((doc, i) => {
    const ours = ourHash(doc);
    if (ours !== expected[i]) {
      let dumped = '';
      try {
        dumped = dumpText(doc);
      } catch {
        /* the message above says enough */
      }
      expect.fail(`seed ${seed}, document ${JSON.stringify(doc)}:\n python ${expected[i]}\n ours   ${ours} ${dumped}`);
    }
  });
}

/**
 * Records a timer chain (a timer that re-arms itself once) against the completion of `work`: if `work` held
 * the event loop until it finished, its result would be recorded before any timer fired.
 */
async function ticksDuring(work: () => Promise<string>): Promise<{ events: string[]; hash: string }> {
  const events: string[] = [];
  const timer = setTimeout(() => {
    events.push('tick');
    setTimeout(() => events.push('tick'), 0);
  }, 0);
  const hash = await work();
  clearTimeout(timer);
  events.push('hash');
  return { events, hash };
}

/** A document of about `size` UTF-16 units with floats, ints, unicode and nesting. */
function bigDocument(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const item = `{"id":${i},"name":"item ${i} café ✓ 😀","x":${i}.25,"w":1e-${i % 9},"tags":["a",[${i * 7}]]}`;
    parts.push(item);
    length += item.length + 1;
  }
  return `{"data":[${parts.join(',')}],"n":${size}}`;
}

// --- random JSON texts, written the many ways a client may write them

const ws = fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  ');
const pad = (text: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.tuple(ws, text, ws).map(([a, t, b]) => a + t + b);
const digits = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength });
const intPart = fc.oneof(
  fc.constant('0'),
  fc.tuple(fc.constantFrom(...'123456789'), digits(0, 20)).map(([a, b]) => a + b),
);

const intLexeme = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom('-0', '9007199254740993', '-9007199254740993', '18446744073709551616'),
);

const floatLexeme = fc.oneof(
  // sign, integer part, fraction and exponent, each optional where JSON allows
  fc
    .tuple(
      fc.boolean(),
      intPart,
      fc.option(digits(1, 20), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.oneof(fc.integer({ min: 0, max: 30 }).map(String), digits(1, 3), fc.integer({ min: 280, max: 420 }).map(String))), { nil: undefined }),
    )
    .filter(([, , frac, exp]) => frac !== undefined || exp !== undefined)
    .map(([neg, int, frac, exp]) => (neg ? '-' : '') + int + (frac === undefined ? '' : '.' + frac) + (exp === undefined ? '' : exp.join(''))),
  // JS's own shortest forms of random doubles ("1e+21", "5e-324", "0.1")
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => String(x)),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e16', '1e-5', '-0.0', '1e400', '-1e-400', '1.0', '2.5E-3',
    '1.7976931348623157e308', '4.9e-324', '2.2250738585072011e-308', '1e15', '1e-4', '0.0001', '100.0', '1.50'),
);

// Characters as a client may write them: raw, \uXXXX (either hex case), short escapes, escaped surrogates.
const hex4 = (c: number, upper: boolean): string => {
  const h = c.toString(16).padStart(4, '0');
  return '\\u' + (upper ? h.toUpperCase() : h);
};
const stringPiece = fc.oneof(
  fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.nat(3), fc.boolean()).map(([ch, how, upper]) => {
    const cp = ch.codePointAt(0)!;
    const mustEscape = cp < 0x20 || ch === '"' || ch === '\\';
    if (!mustEscape && how > 0) return ch;
    if (cp > 0xffff) return [...ch.split('')].map((u) => hex4(u.charCodeAt(0), upper)).join('');
    return hex4(cp, upper);
  }),
  fc.constantFrom('a', 'B', ' ', '~', '\x7f', 'é', '€', '\ue000', '\uffff', '😀', '\u{10ffff}'),
  fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\ud800', '\\udfff', '\\uDBFF\\uDFFF', '\\ud83d\\ude00'),
);
const stringText = fc.array(stringPiece, { maxLength: 8 }).map((p) => `"${p.join('')}"`);
// Few distinct keys, so that duplicates and the astral / U+E000–U+FFFF ordering cases come up often.
const keyText = fc.oneof(
  stringText,
  fc.constantFrom('"a"', '"b"', '"A"', '""', '"10"', '"2"', '"__proto__"', '"constructor"', '"\\ue000"', '"\uffff"',
    '"\\ud83d\\ude00"', '"😀x"', '"\\ud800"', '"é"'),
);

const scalarText = fc.oneof(
  intLexeme,
  floatLexeme,
  stringText,
  fc.constantFrom('null', 'true', 'false'),
);

const { valueText } = fc.letrec<{ valueText: string; arrayText: string; objectText: string }>((tie) => ({
  valueText: fc.oneof({ depthSize: 'small', maxDepth: 6 }, scalarText, tie('arrayText'), tie('objectText')),
  arrayText: fc
    .tuple(fc.array(pad(tie('valueText')), { maxLength: 6 }), ws)
    .map(([items, w]) => `[${items.length === 0 ? w : items.join(',')}]`),
  objectText: fc
    .tuple(fc.array(fc.tuple(pad(keyText), pad(tie('valueText'))), { maxLength: 6 }), ws)
    .map(([members, w]) => `{${members.length === 0 ? w : members.map(([k, v]) => `${k}:${v}`).join(',')}}`),
}));

const documentText = pad(valueText);

// One random edit: most turn the document invalid, some keep it valid in a new way.
const mutatedDocumentText = fc
  .tuple(documentText, fc.nat(), fc.nat(2), fc.constantFrom(...',:[]{}"\\ 0-.eE+nNtI\x01x/'))
  .map(([doc, at, op, ch]) => {
    const i = doc.length === 0 ? 0 : at % (doc.length + 1);
    if (op === 0) return doc.slice(0, i) + doc.slice(i + 1); // delete
    if (op === 1) return doc.slice(0, i) + ch + doc.slice(i); // insert
    return doc.slice(0, i); // truncate
  });
