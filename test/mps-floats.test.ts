// /instancefile/'s known gap, closed: PuLP's dict holds Python floats for what it read with float()
// (coefficients, RHS-derived constants, bounds given in the file) and ints for its defaults, so cornflow
// stores and hashes `1.0`, not `1`.
import { expect } from 'chai';
import { parseMpsToPulp, parseMpsToPulpAs } from '../src/domain/mps.js';
import { pythonNumber } from '../src/domain/instance-file.js';

const parseMpsToPulpJson = (text: string, opts: { minimize: boolean }) => parseMpsToPulpAs(text, opts, pythonNumber);
import { dataHash, parseLossless, rawJsonText, toPlain, type JsonValue } from '../src/domain/json-hash.js';
import { contract, forEachDatabase } from './support/app.js';

const MPS = `NAME          TESTLP
ROWS
 N  obj
 L  c1
 G  c2
COLUMNS
    x         obj       1          c1        1.0
    y         obj       2.5e-5     c2        -0
RHS
    RHS       c1        4
BOUNDS
 UP BND       x         3
 BV BND       y
ENDATA
`;
// What Python's json.dumps(toDict(), sort_keys=True, separators=(",", ":")) gives for that file with PuLP.
const PYTHON_TEXT =
  '{"constraints":[{"coefficients":[{"name":"x","value":1.0}],"constant":-4.0,"name":"c1","pi":null,"sense":-1},' +
  '{"coefficients":[{"name":"y","value":-0.0}],"constant":0,"name":"c2","pi":null,"sense":1}],' +
  '"objective":{"coefficients":[{"name":"x","value":1.0},{"name":"y","value":2.5e-05}],"name":"obj"},' +
  '"parameters":{"name":"TESTLP","sense":1,"sol_status":0,"status":0},"sos1":[],"sos2":[],' +
  '"variables":[{"cat":"Continuous","dj":null,"lowBound":0,"name":"x","upBound":3.0,"varValue":null},' +
  '{"cat":"Continuous","dj":null,"lowBound":0,"name":"y","upBound":1,"varValue":null}]}';

describe('MPS numbers as Python floats', () => {
  it('parseMpsToPulpAs keeps PuLP\'s floats and ints; the plain model is unchanged', () => {
    const lossless = parseMpsToPulpJson(MPS, { minimize: true });
    expect(JSON.stringify(toPlain(lossless as unknown as JsonValue))).to.equal(JSON.stringify(parseMpsToPulp(MPS, { minimize: true })));
    expect(dataHash(lossless as unknown as JsonValue)).to.equal(dataHash(parseLossless(PYTHON_TEXT)));
    expect(rawJsonText(lossless as unknown as JsonValue)).to.include('"upBound":3.0').and.include('"lowBound":0,');
  });

  it('the dummy objective stays int', () => {
    const text = 'NAME m\nROWS\n N obj\n E c\nCOLUMNS\n x c 2\nRHS\n R c 0\nENDATA\n';
    const out = rawJsonText(parseMpsToPulpJson(text, { minimize: false }) as unknown as JsonValue);
    expect(out).to.include('{"name":"__dummy","value":1}').and.include('"constant":0.0').and.include('"value":2.0');
  });
});

forEachDatabase('instancefile floats', (t) => {
  it('stores and hashes the uploaded model as cornflow does', async () => {
    const user = await t.user('planner');
    const res = await t.raw().post('/instancefile/').set('Authorization', `Bearer ${user.token}`).field('name', 'm').attach('file', Buffer.from(MPS), 'm.mps');
    contract.check('post', '/instancefile/', res);
    expect(res.status, res.text).to.equal(201);
    expect(res.body.data_hash).to.equal(dataHash(parseLossless(PYTHON_TEXT)));
    const data = await t.raw().get(`/instance/${res.body.id}/data/`).set('Authorization', `Bearer ${user.token}`).set('Accept-Encoding', 'identity');
    expect(data.text).to.include('"constant":-4.0').and.include('"value":2.5e-05');
  });
});
