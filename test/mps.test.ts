// MPS → PuLP dict (POST /instancefile/). Expected values in test/fixtures/mps/*.expected.json were derived
// from PuLP 2.9.0's readMPS/fromDict/toDict (the version cornflow pins) and cross-checked with that code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import {
  MpsParseError,
  decodeMpsFile,
  mpsToPulp,
  parseMpsToPulp,
  readMps,
  type PulpModel,
} from '../src/domain/mps.js';

const fixture = (file: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/mps/${file}`, import.meta.url)), 'utf8');
const expected = (name: string): PulpModel => JSON.parse(fixture(`${name}.expected.json`)) as PulpModel;

// The schema's `items.placeholder` is not a JSON-schema keyword: strict mode would refuse it.
const pulpSchema: object = JSON.parse(
  readFileSync('/work/shared/reference/cornflow-testdata/pulp_json_schema.json', 'utf8'),
) as object;
const validatePulp = new Ajv({ strict: false, allErrors: true }).compile(pulpSchema);

/** Every successful parse in this file goes through here: the result must satisfy cornflow's PuLP schema. */
function parse(text: string, minimize = true): PulpModel {
  const model = parseMpsToPulp(text, { minimize });
  expect(validatePulp(model), JSON.stringify(validatePulp.errors)).to.equal(true);
  return model;
}

/** Same values and the same key order as PuLP's dict. */
function expectSameDict(actual: PulpModel, wanted: PulpModel): void {
  expect(actual).to.deep.equal(wanted);
  expect(JSON.stringify(actual)).to.equal(JSON.stringify(wanted));
}

function parseError(text: string): MpsParseError {
  try {
    parseMpsToPulp(text, { minimize: true });
  } catch (e) {
    expect(e).to.be.instanceOf(MpsParseError);
    return e as MpsParseError;
  }
  throw new Error('expected an MpsParseError');
}

const mps = (...lines: string[]): string => `${lines.join('\n')}\n`;
const SMALL = ['NAME t', 'ROWS', ' N obj', ' L c1', 'COLUMNS', ' x obj 1 c1 1'];

describe('parseMpsToPulp', () => {
  describe("cornflow's test_mps.mps", () => {
    it('gives the dict PuLP gives with sense=1 (minimize)', () => {
      expectSameDict(parse(fixture('test_mps.mps')), expected('test_mps'));
    });

    it('differs only in parameters.sense when maximizing', () => {
      const max = parse(fixture('test_mps.mps'), false);
      const wanted = expected('test_mps');
      wanted.parameters.sense = -1;
      expectSameDict(max, wanted);
    });

    it('reads CRLF and CR line endings the same way', () => {
      const text = fixture('test_mps.mps');
      expectSameDict(parse(text.replace(/\n/g, '\r\n')), expected('test_mps'));
      expectSameDict(parse(text.replace(/\n/g, '\r')), expected('test_mps'));
    });
  });

  describe('hand-written fixtures', () => {
    const cases: Array<[string, string]> = [
      ['free_format', 'free format: tabs, comments, a blank line, 3 pairs on a line, repeated entries, 2 RHS sets, Python number syntax'],
      ['fixed_format', 'fixed format: blank RHS/BOUNDS set names, two pairs per line, integer MARKER block'],
      ['bounds', 'every bound type, negative UP, infinite bounds'],
      ['ranges', 'RANGES on E/L/G rows split into two constraints'],
      ['objective_rows', 'extra N rows ignored, RHS on the objective row dropped'],
      ['names', "PuLP's renaming of illegal characters and Python's code-point sort"],
    ];
    for (const [name, what] of cases) {
      it(`${name}.mps — ${what}`, () => {
        expectSameDict(parse(fixture(`${name}.mps`)), expected(name));
      });
    }
  });

  describe('OBJSENSE', () => {
    it('is read in next-line and inline form but, as in PuLP, the sense comes from `minimize`', () => {
      expect(readMps(fixture('free_format.mps')).objsense).to.equal('MAX'); // OBJSENSE \n MAX
      expect(readMps(fixture('fixed_format.mps')).objsense).to.equal('MAX'); // OBJSENSE MAXIMIZE
      expect(readMps(fixture('objective_rows.mps')).objsense).to.equal('MIN'); // OBJSENSE MIN
      expect(readMps(fixture('test_mps.mps')).objsense).to.equal(null);
      expect(parse(fixture('free_format.mps'), true).parameters.sense).to.equal(1);
      expect(parse(fixture('objective_rows.mps'), false).parameters.sense).to.equal(-1);
    });

    it('may come after ROWS too', () => {
      const text = mps('NAME t', 'ROWS', ' N obj', ' L c1', 'OBJSENSE', '  MAX', 'COLUMNS', ' x obj 1 c1 1', 'ENDATA');
      expect(readMps(text).objsense).to.equal('MAX');
      expect(parse(text).objective.coefficients).to.deep.equal([{ name: 'x', value: 1 }]);
    });
  });

  describe('objective row', () => {
    it('keeps the RHS of the objective row as a constant in readMps only (PuLP has no place for it)', () => {
      const model = readMps(fixture('objective_rows.mps'));
      expect(model.objective).to.deep.include({ name: 'cost', constant: -12.5 });
      expect(model.freeRows).to.deep.equal(['free1', 'free2']);
    });

    it('is the last N row when the earlier ones have no entries (what PuLP returns)', () => {
      const text = mps('ROWS', ' N first', ' L c1', ' N second', 'COLUMNS', ' x second 2 c1 1', 'ENDATA');
      expect(parse(text).objective).to.deep.equal({ name: 'second', coefficients: [{ name: 'x', value: 2 }] });
    });

    it('can be chosen with OBJNAME', () => {
      const text = mps('OBJNAME second', 'ROWS', ' N first', ' N second', ' L c1', 'COLUMNS', ' x first 1 second 2 c1 1');
      expect(parse(text).objective).to.deep.equal({ name: 'second', coefficients: [{ name: 'x', value: 2 }] });
    });

    it('without an N row, or without entries, gets the __dummy variable like LpProblem.fixObjective', () => {
      const dummy = { lowBound: 0, upBound: 0, cat: 'Continuous', varValue: null, dj: null, name: '__dummy' };
      const none = parse(mps('ROWS', ' L c1', 'COLUMNS', ' x c1 1'));
      expect(none.objective).to.deep.equal({ name: null, coefficients: [{ name: '__dummy', value: 1 }] });
      expect(none.variables[0]).to.deep.equal(dummy);
      const empty = parse(mps('NAME', 'ROWS', ' N obj', 'COLUMNS', 'ENDATA'));
      expectSameDict(empty, {
        objective: { name: 'obj', coefficients: [{ name: '__dummy', value: 1 }] },
        constraints: [],
        variables: [{ lowBound: 0, upBound: 0, cat: 'Continuous', varValue: null, dj: null, name: '__dummy' }],
        parameters: { name: '', sense: 1, status: 0, sol_status: 0 },
        sos1: [],
        sos2: [],
      });
    });

    it("lists a user's own __dummy column before the added one, as PuLP does", () => {
      const out = parse(mps('ROWS', ' N obj', ' L c1', 'COLUMNS', ' __dummy c1 1'));
      expect(out.variables.map((v) => [v.name, v.upBound])).to.deep.equal([['__dummy', null], ['__dummy', 0]]);
    });
  });

  describe('PuLP details', () => {
    it('keeps a negative UP bound with lower bound 0 (PuLP does not apply the "lower becomes -inf" rule)', () => {
      const v = parse(fixture('bounds.mps')).variables.find((x) => x.name === 'upneg');
      expect(v).to.deep.include({ lowBound: 0, upBound: -5 });
    });

    it('lets a redeclared E/L/G row replace the earlier one in place', () => {
      const out = parse(mps('ROWS', ' N obj', ' L a', ' L b', ' G a', 'COLUMNS', ' x obj 1 a 1 b 1'));
      expect(out.constraints.map((c) => [c.name, c.sense])).to.deep.equal([['a', 1], ['b', -1]]);
    });

    it('reads RHS/BOUNDS set names given on the header line', () => {
      const out = parse(mps(...SMALL, 'RHS RHS1', ' RHS1 c1 4', 'BOUNDS BND1', ' UP BND1 x 3'));
      expect(out.constraints[0].constant).to.equal(-4);
      expect(out.variables[0]).to.deep.include({ upBound: 3 });
    });

    it('reads a bound without a set name but with a value on a no-value type', () => {
      const out = parse(mps(...SMALL, 'BOUNDS', ' BV x 1'));
      expect(out.variables[0]).to.deep.include({ lowBound: 0, upBound: 1 });
    });

    it('ignores everything after ENDATA and comment lines anywhere', () => {
      const out = parse(mps('* head', ...SMALL.slice(0, 5), '*x obj 5', ' * x obj 5', ...SMALL.slice(5), 'ENDATA', 'garbage'));
      expect(out.objective.coefficients).to.deep.equal([{ name: 'x', value: 1 }]);
    });
  });

  describe('errors', () => {
    const bad: Array<[string, string, RegExp]> = [
      ['an empty file', '', /no ROWS section/],
      ['only blank lines and comments', '\n\n* nothing\n   \n', /no ROWS section/],
      ['text that is not MPS', 'hello world\nthis is not a model\n', /unexpected line outside any section/],
      ['binary garbage', '\u0000\u0001\u0002\ufffd\u0007ROWS?\u0000', /unexpected line outside any section/],
      ['no ROWS section', mps('NAME t', 'COLUMNS', ' x', 'ENDATA'), /^no ROWS section$/],
      ['no COLUMNS section', mps('NAME t', 'ROWS', ' N obj', ' L c1', 'RHS', ' RHS c1 1'), /no COLUMNS section/],
      ['an unknown row in COLUMNS', mps(...SMALL, ' y c2 1'), /unknown row 'c2'/],
      ['an unknown row in RHS', mps(...SMALL, 'RHS', ' RHS c9 1'), /unknown row 'c9'/],
      ['an unknown row in RANGES', mps(...SMALL, 'RANGES', ' RNG c9 1'), /unknown row 'c9'/],
      ['an unknown column in BOUNDS', mps(...SMALL, 'BOUNDS', ' UP BND y 1'), /unknown column 'y'/],
      ['a non-numeric coefficient', mps(...SMALL, ' y c1 abc'), /coefficient is not a number/],
      ['a Fortran exponent', mps(...SMALL, ' y c1 1D+02'), /not a number/],
      ['a hexadecimal number', mps(...SMALL, ' y c1 0x10'), /not a number/],
      ['a NaN coefficient', mps(...SMALL, ' y c1 nan'), /not a number/],
      ['an infinite coefficient', mps(...SMALL, ' y c1 inf'), /must be finite/],
      ['a non-numeric RHS', mps(...SMALL, 'RHS', ' RHS c1 five'), /RHS value is not a number/],
      ['a non-numeric bound', mps(...SMALL, 'BOUNDS', ' UP BND x high'), /bound is not a number/],
      ['an unknown bound type', mps(...SMALL, 'BOUNDS', ' XX BND x 1'), /unknown bound type 'XX'/],
      ['a bound without its value', mps(...SMALL, 'BOUNDS', ' UP BND x'), /line 8: bound UP needs a value/],
      ['an infinite fixed bound', mps(...SMALL, 'BOUNDS', ' FX BND x inf'), /fixed bound must be finite/],
      ['a +inf lower bound', mps(...SMALL, 'BOUNDS', ' LO BND x inf'), /lower bound cannot be \+infinity/],
      ['an unknown row type', mps('ROWS', ' X obj', 'COLUMNS'), /unknown row type 'X'/],
      ['a ROWS line without a name', mps('ROWS', ' N', 'COLUMNS'), /ROWS line must be/],
      ['an N row declared twice', mps('ROWS', ' N obj', ' N obj', 'COLUMNS'), /declared twice/],
      ['a coefficient without its value', mps(...SMALL, ' y c1'), /COLUMNS line must be/],
      ['an unknown MARKER', mps(...SMALL, " M 'MARKER' 'SOSORG'"), /unsupported marker/],
      ['an RHS set that differs from the header', mps(...SMALL, 'RHS RHS1', ' RHS2 c1 1'), /differs from 'RHS1'/],
      ['a BOUNDS set that differs from the header', mps(...SMALL, 'BOUNDS B1', ' UP B2 x 1'), /differs from 'B1'/],
      ['a bad OBJSENSE value', mps('OBJSENSE', '  SIDEWAYS', ...SMALL), /bad OBJSENSE value/],
      ['an OBJSENSE without value', mps('OBJSENSE', ...SMALL), /OBJSENSE section has no value/],
      ['an OBJNAME that is not an N row', mps('OBJNAME c1', ...SMALL), /OBJNAME 'c1' is not an N row/],
      ['an SOS section', mps(...SMALL, 'SOS', ' S1 SOS', '  x 1'), /section SOS is not supported/],
      ['a QUADOBJ section', mps(...SMALL, 'QUADOBJ', ' x x 1'), /section QUADOBJ is not supported/],
      ['constraint names that clash after PuLP renaming', mps('ROWS', ' N o', ' L c-1', ' G c_1', 'COLUMNS', ' x c-1 1'), /overlapping constraint names: c_1/],
      ['variable names that clash after PuLP renaming', mps(...SMALL, ' x-1 c1 1', ' x_1 c1 1'), /repeated variable name .*x_1/],
      ['a semi-continuous column with a positive lower bound', mps(...SMALL, 'BOUNDS', ' SC BND x 5', ' LO BND x 1'), /semi-continuous/],
    ];
    for (const [what, text, message] of bad) {
      it(`rejects ${what}`, () => {
        expect(parseError(text).message).to.match(message);
      });
    }

    it('says which line is wrong', () => {
      const e = parseError(mps(...SMALL, ' y c2 1'));
      expect(e.line).to.equal(7);
      expect(e.message).to.equal("line 7: unknown row 'c2'");
      expect(e.name).to.equal('MpsParseError');
    });
  });
});

describe('decodeMpsFile', () => {
  it('decodes UTF-8 bytes', () => {
    expect(decodeMpsFile(new TextEncoder().encode('NAME é\n'))).to.equal('NAME é\n');
  });

  it('rejects bytes that are not UTF-8 (binary uploads), as Python would', () => {
    expect(() => decodeMpsFile(Uint8Array.from([0x4e, 0x41, 0xff, 0xfe, 0x00, 0x80]))).to.throw(MpsParseError, /not UTF-8/);
  });
});

describe('mpsToPulp on random models written as MPS', () => {
  // A model → MPS text with random layout → parse → the dict PuLP would build for that model.
  const ident = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
  const value = fc.integer({ min: -40, max: 40 }).map((n) => n / 4);
  const arb = fc
    .record({
      rows: fc.uniqueArray(ident, { maxLength: 5 }),
      cols: fc.uniqueArray(ident, { maxLength: 6 }),
      seed: fc.array(fc.tuple(fc.constantFrom('E', 'L', 'G'), value, fc.boolean()), { minLength: 5, maxLength: 5 }),
      colInfo: fc.array(
        fc.record({
          integer: fc.boolean(),
          lo: fc.constantFrom<number | null>(0, -2, 1.5, null),
          up: fc.constantFrom<number | null>(null, 3, 7.25),
          obj: fc.option(value, { nil: undefined }),
          entries: fc.array(fc.tuple(fc.nat(4), value), { maxLength: 4 }),
        }),
        { minLength: 6, maxLength: 6 },
      ),
      pad: fc.array(fc.constantFrom(' ', '  ', '\t', '    '), { minLength: 8, maxLength: 8 }),
      noise: fc.array(fc.constantFrom('', '* comment', '   '), { minLength: 3, maxLength: 3 }),
    });

  it('always gives back the model', () => {
    fc.assert(
      fc.property(arb, (m) => {
        const rows = m.rows.map((r, i) => ({ name: `r${r}`, type: m.seed[i][0], rhs: m.seed[i][1], withRhs: m.seed[i][2] }));
        const cols = m.cols.map((c, i) => {
          const info = m.colInfo[i];
          // keep bounds consistent so the writer's FX/MI choice is unambiguous
          const up = info.up !== null && info.lo !== null && info.up < info.lo ? null : info.up;
          const entries = rows.length === 0 ? [] : [...new Map(info.entries.map(([k, v]) => [rows[k % rows.length].name, v]))];
          return { name: `x${c}`, integer: info.integer, lo: info.lo, up, obj: info.obj, entries };
        });
        const p = (k: number) => m.pad[k % m.pad.length];
        const lines = [m.noise[0], `NAME${p(0)}model`, 'ROWS', `${p(1)}N${p(2)}cost`];
        for (const r of rows) lines.push(`${p(3)}${r.type}${p(4)}${r.name}`);
        lines.push(m.noise[1], 'COLUMNS');
        for (const c of cols) {
          if (c.integer) lines.push(`${p(5)}M${p(6)}'MARKER'${p(7)}'INTORG'`);
          if (c.obj !== undefined) lines.push(`${p(1)}${c.name}${p(2)}cost${p(3)}${c.obj}`);
          for (const [r, v] of c.entries) lines.push(`${p(4)}${c.name}${p(5)}${r}${p(6)}${v}`);
          if (c.obj === undefined && c.entries.length === 0) lines.push(`${p(4)}${c.name}`); // declared, in no expression
          if (c.integer) lines.push(`${p(5)}M${p(6)}'MARKER'${p(7)}'INTEND'`);
        }
        lines.push('RHS', m.noise[2]);
        for (const r of rows) if (r.withRhs) lines.push(`${p(0)}RHS${p(1)}${r.name}${p(2)}${r.rhs}`);
        lines.push('BOUNDS');
        for (const c of cols) {
          if (c.lo === null) lines.push(c.up === null ? ` FR BND ${c.name}` : ` MI BND ${c.name}`);
          else if (c.lo !== 0) lines.push(` LO BND ${c.name} ${c.lo}`);
          if (c.up !== null) lines.push(` UP${p(3)}BND${p(4)}${c.name}${p(5)}${c.up}`);
        }
        lines.push('ENDATA');

        const used = cols.filter((c) => c.obj !== undefined || c.entries.length > 0);
        const objective = cols.flatMap((c) => (c.obj === undefined ? [] : [{ name: c.name, value: c.obj }]));
        const variables: PulpModel['variables'] = used.map((c) => ({
          lowBound: c.lo, upBound: c.up, cat: c.integer ? 'Integer' : 'Continuous', varValue: null, dj: null, name: c.name,
        }));
        if (objective.length === 0) {
          objective.push({ name: '__dummy', value: 1 });
          variables.push({ lowBound: 0, upBound: 0, cat: 'Continuous', varValue: null, dj: null, name: '__dummy' });
        }
        variables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const wanted: PulpModel = {
          objective: { name: 'cost', coefficients: objective },
          constraints: rows.map((r) => ({
            sense: ({ L: -1, E: 0, G: 1 } as const)[r.type],
            pi: null,
            constant: r.withRhs ? 0 - r.rhs : 0,
            name: r.name,
            coefficients: cols.flatMap((c) => c.entries.filter(([rn]) => rn === r.name).map(([, v]) => ({ name: c.name, value: v }))),
          })),
          variables,
          parameters: { name: 'model', sense: 1, status: 0, sol_status: 0 },
          sos1: [],
          sos2: [],
        };
        const text = lines.join('\n');
        expectSameDict(parse(text), wanted);
        expectSameDict(mpsToPulp(readMps(text), { minimize: true }), wanted);
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });
});
