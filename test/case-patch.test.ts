// The JSON-patch helpers of the case routes, without a database: makePatch against cornflow's published
// compare vector (tests/data/full_case_patch.json, read from the cornflow mirror when it is on this machine),
// and applyJsonPatch's failure modes.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { applyJsonPatch, indicators, makePatch } from '../src/domain/cases.js';
import { parseLossless, rawJsonText, toPlain, type JsonValue } from '../src/domain/json-hash.js';
import { InvalidPatch } from '../src/domain/errors.js';

const MIRROR = '/work/.mirror/baobabsoluciones+cornflow/repo';
const L = (x: unknown) => parseLossless(JSON.stringify(x));
const plain = (ops: ReturnType<typeof makePatch>) => ops.map((o) => toPlain(o as unknown as JsonValue));

describe('case patches', () => {
  it('makePatch reproduces cornflow\'s full_case_patch.json (graph-colouring cases)', function () {
    if (!existsSync(MIRROR)) this.skip();
    const show = (path: string) => JSON.parse(execFileSync('git', ['--git-dir', MIRROR, 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    const data = show('libs/client/cornflow_client/tests/data/gc_input.json');
    const solution = show('libs/client/cornflow_client/tests/data/gc_output.json');
    const want = show('cornflow-server/cornflow/tests/data/full_case_patch.json');
    const data2 = structuredClone(data);
    const solution2 = structuredClone(solution);
    for (const [i, k, v] of [[16, 'n2', 10], [27, 'n2', 3], [30, 'n1', 6], [50, 'n2', 14], [56, 'n1', 11], [83, 'n2', 37], [103, 'n1', 26]] as const) data2.pairs[i][k] = v;
    for (const [i, v] of [[4, 3], [7, 2], [24, 1], [42, 3]] as const) solution2.assignment[i].color = v;
    expect({ data_patch: plain(makePatch(L(data), L(data2))), solution_patch: plain(makePatch(L(solution), L(solution2))) }).to.deep.equal(want);
  });

  it('makePatch follows python-jsonpatch on lists, type changes and the root', () => {
    expect(plain(makePatch(L([1, 2, 3]), L([1, 2])))).to.deep.equal([{ op: 'remove', path: '/2' }]);
    expect(plain(makePatch(L([1]), L([1, { a: 1 }])))).to.deep.equal([{ op: 'add', path: '/1', value: { a: 1 } }]);
    expect(plain(makePatch(L({ a: 1 }), L({ a: true })))).to.deep.equal([{ op: 'replace', path: '/a', value: true }]);
    expect(plain(makePatch(L({ 'a/b': { '~': 1 } }), L({ 'a/b': { '~': 2 } })))).to.deep.equal([{ op: 'replace', path: '/a~1b/~0', value: 2 }]);
    expect(plain(makePatch(null, L({ a: 1 })))).to.deep.equal([{ op: 'replace', path: '', value: { a: 1 } }]);
    expect(makePatch(parseLossless('[1]'), parseLossless('[1.0]'))).to.deep.equal([]);
    expect(makePatch(parseLossless('{"a":1}'), parseLossless('{"a":1.0}'))).to.have.length(1);
  });

  it('applyJsonPatch keeps lexemes and turns every failure into InvalidPatch', () => {
    const doc = parseLossless('{"a":[1.0,2],"b":{"c":1e5}}');
    const out = applyJsonPatch(doc, parseLossless('[{"op":"add","path":"/a/-","value":3.50},{"op":"remove","path":"/b/c"}]'));
    expect(rawJsonText(out as JsonValue)).to.equal('{"a":[1.0,2,3.5],"b":{}}');
    for (const ops of ['[{"op":"remove","path":"/zz"}]', '[{"op":"test","path":"/a/1","value":3}]', '[{"op":"bogus","path":"/a"}]', '{"op":"add"}', '[{"op":"add","path":"/__proto__/x","value":1}]']) {
      expect(() => applyJsonPatch(parseLossless('{"a":[1.0,2]}'), parseLossless(ops)), ops).to.throw(InvalidPatch);
    }
    expect(() => applyJsonPatch(null, parseLossless('[{"op":"add","path":"/a","value":1}]'))).to.throw(InvalidPatch);
  });

  it('indicators as cornflow prints them', () => {
    expect(indicators(null)).to.equal('');
    expect(indicators('{"indicators":{"b":2.0,"a":"x","c":null,"d":[1,"y"]}}')).to.equal("a: x; b: 2.0; c: None; d: [1, 'y']");
    expect(indicators('{"indicators":5}')).to.equal('');
    expect(indicators('[1]')).to.equal('');
  });
});
