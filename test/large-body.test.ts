// The one-parse body path (src/api/json-body.ts, parseExact) and the sliced GET data response (src/api/wire.ts):
// the same values, hashes, stored text and errors as parsing twice (JSON.parse + parseLossless) and as one
// flaskJson string.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { forEachDatabase } from './support/app.js';
import { dataHash, parseExact, parseLossless, rawJsonBytes, rawJsonText, exactMember, exactToLossless, JsonNumber, type JsonValue, type LosslessJson } from '../src/domain/json-hash.js';
import { flaskJson, flaskJsonParts, RawJson } from '../src/api/wire.js';
import { bigModel } from '../scripts/bench/big-model.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const SPECIAL = '{"a":1.0,"b":[1.0,2,-0.0,-0,1e400,12345678901234567890,1.5,1e2,3E-2,"x\\u00e9\\ud83d\\ude00",-1e-7],"__proto__":2.0,"1":{"d":[[-1.0]]},"e":9007199254740993}';

describe('parseExact', () => {
  const docs: [string, string][] = [['special numbers', SPECIAL], ...readdirSync(TESTDATA).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(`${TESTDATA}/${f}`, 'utf8')] as [string, string])];
  for (const [name, text] of docs) {
    it(`${name}: JSON.parse's values, parseLossless's data_hash and stored text`, () => {
      const exact = parseExact(text);
      const lossless = parseLossless(text);
      expect(JSON.stringify(exact)).to.equal(JSON.stringify(JSON.parse(text)));
      expect(dataHash(exact)).to.equal(dataHash(lossless));
      expect(rawJsonText(exact)).to.equal(rawJsonText(lossless));
      expect(rawJsonBytes(exact).toString('latin1')).to.equal(rawJsonText(lossless));
      expect(rawJsonText(exactToLossless(exact))).to.equal(rawJsonText(lossless));
      if (lossless !== null && typeof lossless === 'object' && !Array.isArray(lossless) && !(lossless instanceof JsonNumber)) {
        const fields = lossless as Record<string, LosslessJson>;
        for (const key of Object.keys(fields)) expect(rawJsonText(exactMember(exact as object, key))).to.equal(rawJsonText(fields[key]!));
      }
    });
  }

  it('keeps a top-level field that is an integral float (data: 1.0) as Python sees it', () => {
    const exact = parseExact('{"data": 1.0, "n": 10000000000000000000001}') as object;
    expect(rawJsonText(exactMember(exact, 'data'))).to.equal('1.0');
    expect(rawJsonText(exactMember(exact, 'n'))).to.equal('10000000000000000000001');
  });

  it('ignores a kept lexeme once the slot holds another number', () => {
    const exact = parseExact('{"a": [1.0]}') as { a: number[] };
    exact.a[0] = 2;
    expect(rawJsonText(exact as unknown as JsonValue)).to.equal('{"a":[2]}');
  });

  it('refuses NaN and Infinity (JSON.parse does) and what Python refuses', () => {
    for (const bad of ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '\ufeff{}', `{"a": ${'9'.repeat(4301)}}`, '['.repeat(1001) + ']'.repeat(1001)]) {
      expect(() => parseExact(bad), bad.slice(0, 20)).to.throw();
    }
  });
});

describe('flaskJsonParts', () => {
  it('joins to flaskJson, with the raw texts as they are', () => {
    const body = { id: 'x', name: 'é', data: new RawJson('{"a":1.0}'), checks: new RawJson('null') };
    const parts = flaskJsonParts(body);
    expect(parts.join('')).to.equal(flaskJson(body));
    expect(parts).to.include('{"a":1.0}');
    expect(flaskJson(body)).to.equal('{"id":"x","name":"\\u00e9","data":{"a":1.0},"checks":null}\n');
  });
});

forEachDatabase('large bodies', (t) => {
  const post = (token: string, body: string | Buffer, type = 'application/json') =>
    t.raw().post('/instance/').set('Authorization', `Bearer ${token}`).set('Content-Type', type).serialize((b: unknown) => b as string).send(body as string);

  it('stores and hashes what Python would (integral floats, big ints) and sends the stored text back', async () => {
    const u = await t.user('planner');
    // (No 1e400 here: Python would store Infinity, which a JSON client cannot read back.)
    const text = `{"name": "special", "schema": "solve_model_dag", "data": ${SPECIAL.replace('1e400,', '').replace('{', '{"parameters": {"name": "p", "sense": 1, "status": 0, "sol_status": 0}, "objective": {"name": "o", "coefficients": []}, "constraints": [], "variables": [], "sos1": [], "sos2": [], ')}}`;
    const res = await post(u.token, text);
    expect(res.status, res.text).to.equal(201);
    const data = (parseLossless(text) as { data: JsonValue }).data;
    expect(res.body.data_hash).to.equal(dataHash(data));
    const back = await t.get(`/instance/${res.body.id}/data/`, { token: u.token });
    expect(back.status).to.equal(200);
    expect(back.text).to.include(`"data":${rawJsonText(data)}`);
  });

  it('answers 400/415 for bodies JSON.parse or Python would refuse, and stores nothing', async () => {
    const u = await t.user('planner');
    const before = (await t.knex('instances')).length;
    const cases: [string | Buffer, number, string?][] = [
      ['{"name": "x", "data": {"a": NaN}}', 400],
      [Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 400],
      ['\ufeff{"name": "x", "data": {}}', 400],
      ['"just a string"', 400],
      ['{"name": "x", "data": {}', 400],
      [`{"name": "x", "data": ${'['.repeat(1001)}${']'.repeat(1001)}}`, 400],
      ['{"name": "x", "data": {}}', 415, 'application/json; charset=latin1'],
    ];
    for (const [body, status, type] of cases) {
      const res = await post(u.token, body, type);
      expect(res.status, String(body).slice(0, 30)).to.equal(status);
      if (status === 400) expect(res.body).to.deep.equal({ messages: { json: ['Invalid JSON body.'] } });
    }
    expect(await t.knex('instances')).to.have.length(before);
  });

  it('sends a large data response in slices that equal the one-string response, plain and gzip', async function () {
    this.timeout(120_000);
    const u = await t.user('planner');
    const text = JSON.stringify({ name: 'big', data: bigModel(9 * 1024 * 1024) });
    const res = await post(u.token, text);
    expect(res.status, res.text.slice(0, 200)).to.equal(201);
    const row = await t.knex('instances').where({ id: res.body.id }).first();
    const expected = flaskJson({
      id: res.body.id, name: 'big', description: null, created_at: res.body.created_at, user_id: res.body.user_id,
      data_hash: res.body.data_hash, schema: null, data: new RawJson(String(row.data)), checks: new RawJson('null'),
    });
    // Through the contract checker (response validation as in the app), uncompressed: Content-Length is exact.
    const plain = await t.get(`/instance/${res.body.id}/data/`, { token: u.token, headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.status).to.equal(200);
    expect(plain.text).to.equal(expected);
    expect(plain.headers['content-length']).to.equal(String(expected.length));
    expect(plain.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(JSON.parse(plain.text).data).to.deep.equal(JSON.parse(text).data);
    const gz = await t.raw().get(`/instance/${res.body.id}/data/`).set('Authorization', `Bearer ${u.token}`).set('Accept-Encoding', 'gzip')
      .buffer(true).parse((r, cb) => { const chunks: Buffer[] = []; r.on('data', (c: Buffer) => chunks.push(c)); r.on('end', () => cb(null, Buffer.concat(chunks))); });
    expect(gz.status).to.equal(200);
    expect(gz.headers['content-encoding']).to.equal('gzip');
    // (superagent inflates it)
    const got = gz.body as Buffer;
    expect((got[0] === 0x1f && got[1] === 0x8b ? gunzipSync(got) : got).toString('latin1')).to.equal(expected);
  });

  it('writes a large text (8 MB and more) as text columns, equal to the small path, on POST and PUT', async function () {
    this.timeout(180_000);
    const u = await t.user('planner');
    const data = bigModel(9 * 1024 * 1024);
    (data.parameters as Record<string, unknown>).name = 'nine';
    const text = JSON.stringify({ name: 'nine', data }).replace('"sense":1,', '"sense":1.0,');
    const res = await post(u.token, text);
    expect(res.status, res.text.slice(0, 200)).to.equal(201);
    const expected = (parseLossless(text) as { data: JsonValue }).data;
    const isText = async () => {
      const row = await t.knex('instances').where({ id: res.body.id }).first();
      const kind = t.knex.client.config.client === 'pg' ? (await t.knex.raw('select json_typeof(data) as k from instances where id = ?', [res.body.id])).rows[0].k : (await t.knex.raw('select typeof(data) as k from instances where id = ?', [res.body.id]))[0].k;
      return { data: String(row.data), hash: row.data_hash, kind };
    };
    let stored = await isText();
    expect(stored.kind).to.be.oneOf(['text', 'object']);
    expect(stored.data).to.equal(rawJsonText(expected));
    expect(stored.data).to.include('"sense":1.0,');
    expect(stored.hash).to.equal(dataHash(expected)).and.to.equal(res.body.data_hash);
    const edited = text.replace('"name":"nine"', '"name":"nine"').replace('"sense":1.0,', '"sense":2.0,');
    const put = await t.raw().put(`/instance/${res.body.id}/`).set('Authorization', `Bearer ${u.token}`).set('Content-Type', 'application/json').send(edited);
    expect(put.status, put.text.slice(0, 200)).to.equal(200);
    const editedData = (parseLossless(edited) as { data: JsonValue }).data;
    stored = await isText();
    expect(stored.data).to.equal(rawJsonText(editedData));
    expect(stored.hash).to.equal(dataHash(editedData));
  });

  // Bodies of 8 MB or more with a Content-Length and no Content-Encoding are read straight into one Buffer of that
  // length (src/api/json-body.ts readDeclaredLength); others go through express.raw.
  it('a large body read by its declared length and the same body gzip-encoded (express.raw): same row, same hash', async function () {
    this.timeout(180_000);
    const u = await t.user('planner');
    const text = JSON.stringify({ name: 'declared', data: bigModel(9 * 1024 * 1024) });
    const plain = await post(u.token, text);
    expect(plain.status, plain.text.slice(0, 200)).to.equal(201);
    const gz = await t.gzipJson('post', '/instance/', gzipSync(text), u.token);
    expect(gz.status, gz.text.slice(0, 200)).to.equal(201);
    expect(plain.body.data_hash).to.equal(gz.body.data_hash).and.to.equal(dataHash((parseLossless(text) as { data: JsonValue }).data));
    const rows = await t.knex('instances').whereIn('id', [plain.body.id, gz.body.id]).select('data');
    expect(rows).to.have.length(2);
    expect(String(rows[0].data)).to.equal(String(rows[1].data));
  });

  it('a large body cut off before its declared length: nothing stored, the server keeps answering', async function () {
    this.timeout(120_000);
    const u = await t.user('planner');
    const before = (await t.knex('instances')).length;
    const text = JSON.stringify({ name: 'cut', data: bigModel(9 * 1024 * 1024) });
    const server = createServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      for (const sent of [0, 1024, Math.floor(text.length / 2), text.length - 1]) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => {});
        await new Promise<void>((r) => socket.once('connect', r));
        socket.write(`POST /instance/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${u.token}\r\nContent-Type: application/json\r\nContent-Length: ${text.length}\r\n\r\n`);
        await new Promise<void>((r) => socket.write(text.slice(0, sent), () => r()));
        await new Promise((r) => setTimeout(r, 100));
        socket.destroy();
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(await t.knex('instances')).to.have.length(before);
      const ok = await post(u.token, JSON.stringify({ name: 'after', data: bigModel(2000) }));
      expect(ok.status, ok.text).to.equal(201);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
}, { CORNFLOW_MAX_BODY_SIZE: '60mb' });
