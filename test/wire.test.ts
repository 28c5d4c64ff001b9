import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { flaskJson, pyRepr, pyStr, RawJson, validationMessage } from '../src/api/wire.js';
import { forEachDatabase, contract } from './support/app.js';

describe('wire format', () => {
  it('writes JSON as flask.jsonify: compact, \\uXXXX for non-ASCII, trailing newline', () => {
    expect(flaskJson({ a: 'é', b: [1, null], c: '😀', d: '\u007f', e: 'tab\t' })).to.equal('{"a":"\\u00e9","b":[1,null],"c":"\\ud83d\\ude00","d":"\\u007f","e":"tab\\t"}\n');
  });

  it('embeds RawJson text verbatim, at any depth', () => {
    expect(flaskJson({ data: new RawJson('{"x":1.0,"y":1e+16}'), n: 2 })).to.equal('{"data":{"x":1.0,"y":1e+16},"n":2}\n');
    expect(flaskJson([{ config: new RawJson('{"a":[1.0]}') }, { config: new RawJson('null') }])).to.equal('[{"config":{"a":[1.0]}},{"config":null}]\n');
  });

  it('does not let a client string pose as an embedded text', () => {
    // The placeholder used while serialising carries a per-process nonce.
    const body = { data: new RawJson('{"secret":1}'), name: '\u0000cornflow-raw:0' };
    expect(flaskJson(body)).to.equal('{"data":{"secret":1},"name":"\\u0000cornflow-raw:0"}\n');
  });

  it('serialises a RawJson outside a response as the value it stands for', () => {
    expect(JSON.stringify({ a: new RawJson('{"x": [1, 2]}') })).to.equal('{"a":{"x":[1,2]}}');
  });

  it('prints Python reprs', () => {
    expect(pyStr("it's")).to.equal('"it\'s"');
    expect(pyStr('say "hi"')).to.equal("'say \"hi\"'");
    expect(pyStr('both \' and "')).to.equal("'both \\' and \"'");
    expect(pyRepr({ json: { name: ['Missing data for required field.'] } })).to.equal("{'json': {'name': ['Missing data for required field.']}}");
    expect(pyRepr(new Map<string | number, unknown>([[0, ['x']]]))).to.equal("{0: ['x']}");
  });

  it('renders nested list positions with integer keys', () => {
    const msg = validationMessage([{ path: '/body/data_patch/0/from', message: 'must NOT have additional properties', errorCode: 'additionalProperties.openapi.validation' }], { body: {} });
    expect(msg).to.equal("{'json': {'data_patch': {0: {'from': ['Unknown field.']}}}}");
  });

  it('renders a body of the wrong type as _schema', () => {
    const msg = validationMessage([{ path: '/body', message: 'must be object', errorCode: 'type.openapi.validation' }], { body: [] });
    expect(msg).to.equal("{'json': {'_schema': ['Invalid input type.']}}");
  });
});

forEachDatabase('wire conventions', (t) => {
  describe('getHealth', () => {
    it('answers cornflow\'s keys, healthy with the service user and the local backend', async () => {
      const res = await t.get('/health/');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ cornflow_status: 'healthy', backend_status: 'healthy', cornflow_version: '1.3.6' });
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.text.endsWith('\n')).to.equal(true);
    });

    it('needs no token and ignores one', async () => {
      const res = await t.get('/health/', { token: 'garbage' });
      expect(res.status).to.equal(200);
    });

    it('reports cornflow unhealthy when the service user is missing', async () => {
      const row = await t.knex('users').where({ username: 'service_user' }).first();
      await t.knex('users').where({ id: row.id }).update({ username: 'renamed_service' });
      try {
        const res = await t.get('/health/');
        expect(res.body.cornflow_status).to.equal('unhealthy');
      } finally {
        await t.knex('users').where({ id: row.id }).update({ username: 'service_user' });
      }
    });
  });

  describe('URLs', () => {
    it('redirects a missing trailing slash with 308, keeping the query', async () => {
      const res = await t.raw().get('/health?x=1');
      expect(res.status).to.equal(308);
      expect(res.headers.location).to.match(/^http:\/\/127\.0\.0\.1:\d+\/health\/\?x=1$/);
      expect(res.text).to.contain('Redirecting...');
      const post = await t.raw().post('/login').send({});
      expect(post.status).to.equal(308);
    });

    it('merges double slashes with a 308', async () => {
      const res = await t.raw().get('//health/');
      expect(res.status).to.equal(308);
      expect(res.headers.location).to.match(/\/health\/$/);
    });

    it('answers the JSON 404 for an unknown URL', async () => {
      for (const url of ['/nope/', '/nope', '/instance/abc/def/ghi/']) {
        const res = await t.raw().get(url);
        expect(res.status).to.equal(404);
        expect(res.body).to.deep.equal({
          message: '404 Not Found',
          error: '404 Not Found. The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
        });
      }
    });

    it('answers 405 with Allow for a method the route does not have', async () => {
      const res = await t.raw().delete('/health/');
      expect(res.status).to.equal(405);
      expect(res.body).to.deep.equal({ message: 'The method is not allowed for the requested URL.' });
      expect(res.headers.allow).to.contain('GET');
      contract.check('delete', '/health/', res);
    });

    it('answers OPTIONS with 200 and the allowed methods', async () => {
      const res = await t.raw().options('/login/');
      expect(res.status).to.equal(200);
      expect(res.headers.allow).to.equal('OPTIONS, POST');
    });
  });

  describe('CORS', () => {
    it('echoes the Origin with Vary: Origin, and * without one', async () => {
      let res = await t.raw().get('/health/').set('Origin', 'https://app.example.com');
      expect(res.headers['access-control-allow-origin']).to.equal('https://app.example.com');
      expect(res.headers.vary).to.match(/Origin/);
      res = await t.raw().get('/health/');
      expect(res.headers['access-control-allow-origin']).to.equal('*');
    });

    it('answers preflight requests', async () => {
      const res = await t
        .raw()
        .options('/login/')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,authorization');
      expect(res.status).to.equal(200);
      expect(res.headers['access-control-allow-methods']).to.equal('DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
      expect(res.headers['access-control-allow-headers']).to.equal('content-type,authorization');
    });
  });

  describe('bodies', () => {
    it('does not compress responses of routes cornflow does not compress', async () => {
      const res = await t.raw().get('/health/').set('Accept-Encoding', 'gzip, br');
      expect(res.headers['content-encoding']).to.equal(undefined);
    });

    it('answers 413 with a JSON error for a body over the limit', async () => {
      // This suite runs with CORNFLOW_MAX_BODY_SIZE=1mb.
      const res = await t.raw().post('/login/').set('Content-Type', 'application/json').send(JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024), password: 'y' }));
      expect(res.status).to.equal(413);
      expect(res.body.error).to.match(/larger than the limit/);
    });

    it('rejects gzip bodies on routes that do not inflate', async () => {
      const res = await t.gzipJson('post', '/login/', gzipSync('{}'));
      expect(res.status).to.equal(400);
    });
  });
}, { CORNFLOW_MAX_BODY_SIZE: '1mb' });
