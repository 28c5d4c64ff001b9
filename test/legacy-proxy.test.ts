// CORNFLOW_LEGACY_URL: paths this server does not serve go to a (here: fake) Flask cornflow unchanged, and
// GET /legacy/forwarded/ lists them. The upstream records what it received so both sides can be compared.
import { expect } from 'chai';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { pino } from 'pino';
import { contract, createTestDatabase, forEachDatabase, testConfig } from './support/app.js';
import { prepare } from '../src/bootstrap.js';
import { createApp } from '../src/app.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodySha: string;
  bodyLength: number;
}

let upstream: http.Server;
let upstreamUrl = '';
const seen: Seen[] = [];
const BIG = 12 * 1024 * 1024;
const bigDownload = randomBytes(BIG);

before(async () => {
  upstream = http.createServer((req, res) => {
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (c: Buffer) => {
      hash.update(c);
      length += c.length;
    });
    req.on('end', () => {
      const bodySha = hash.digest('hex');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, bodySha, bodyLength: length });
      if (req.url!.startsWith('/my-app/big/')) {
        // Streamed in chunks, no Content-Length.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Upstream': 'flask', Connection: 'keep-alive, X-Secret-Hop', 'X-Secret-Hop': 'no' });
        let at = 0;
        const pump = () => {
          while (at < BIG) {
            const chunk = bigDownload.subarray(at, at + 65536);
            at += chunk.length;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      if (req.url!.startsWith('/my-app/teapot/')) {
        res.writeHead(418, { 'Content-Type': 'application/json' });
        return res.end('{"error": "I am a teapot"}\n');
      }
      res.writeHead(201, { 'Content-Type': 'application/json', 'Set-Cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ method: req.method, url: req.url, length, bodySha }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => upstream.close(() => r())));

forEachDatabase(
  'legacy upstream',
  (t) => {
    describe('forwarding', () => {
      it('forwards an unknown path with method, query, headers and body unchanged; answers status and headers', async () => {
        const body = JSON.stringify({ x: 1.0, name: 'é' });
        const res = await t
          .raw()
          .put('/my-app/orders/7/?full=1&x=%C3%A9')
          .set('Authorization', 'Bearer whatever-flask-checks')
          .set('Content-Type', 'application/json')
          .set('X-Custom', 'kept')
          .set('Connection', 'keep-alive, X-Drop-Me')
          .set('X-Drop-Me', 'hop')
          .send(body);
        expect(res.status).to.equal(201);
        expect(res.headers['set-cookie']).to.deep.equal(['a=1', 'b=2']);
        const got = seen.at(-1)!;
        expect(got.method).to.equal('PUT');
        expect(got.url).to.equal('/my-app/orders/7/?full=1&x=%C3%A9');
        expect(got.headers.authorization).to.equal('Bearer whatever-flask-checks');
        expect(got.headers['x-custom']).to.equal('kept');
        expect(got.headers['x-drop-me'], 'named in Connection: hop-by-hop').to.equal(undefined);
        expect(got.headers['x-forwarded-for']).to.be.a('string');
        expect(got.bodySha).to.equal(createHash('sha256').update(body).digest('hex'));
      });

      it('streams a large body both ways', async function () {
        this.timeout(60_000);
        const upload = randomBytes(BIG);
        const res = await t
          .raw()
          .post('/my-app/big/')
          .set('Content-Type', 'application/octet-stream')
          .send(upload)
          .buffer(true)
          .parse((r, cb) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => cb(null, Buffer.concat(chunks)));
          });
        expect(res.status).to.equal(200);
        expect(res.headers['x-upstream']).to.equal('flask');
        expect(res.headers['x-secret-hop'], 'named in the upstream Connection header').to.equal(undefined);
        expect((res.body as Buffer).equals(bigDownload)).to.equal(true);
        const got = seen.at(-1)!;
        expect(got.bodyLength).to.equal(BIG);
        expect(got.bodySha).to.equal(createHash('sha256').update(upload).digest('hex'));
      });

      it('passes upstream errors through as they are', async () => {
        const res = await t.raw().get('/my-app/teapot/');
        expect(res.status).to.equal(418);
        expect(res.text).to.equal('{"error": "I am a teapot"}\n');
      });

      it('serves its own routes itself (and still validates them)', async () => {
        const before = seen.length;
        const health = await t.get('/health/');
        expect(health.status).to.equal(200);
        const bad = await t.post('/login/', { body: { username: 'x' } });
        expect(bad.status).to.equal(400);
        // A known path without its trailing slash is redirected, not forwarded.
        expect((await t.raw().get('/health')).status).to.equal(308);
        expect(seen.length).to.equal(before);
      });
    });

    describe('listForwarded', () => {
      it('lists the forwarded routes for an admin', async () => {
        const admin = await t.user('admin');
        const res = await t.get('/legacy/forwarded/', { token: admin.token });
        expect(res.status).to.equal(200);
        expect(res.body.upstream).to.equal(new URL(upstreamUrl).toString());
        const row = res.body.routes.find((r: { path: string; method: string }) => r.path === '/my-app/big/' && r.method === 'POST');
        expect(row).to.deep.include({ count: 1, last_status: 200 });
        expect(res.body.routes.find((r: { path: string }) => r.path === '/my-app/teapot/').last_status).to.equal(418);
      });
      it('answers 400 without or with an invalid token, 403 to a planner', async () => {
        expect((await t.get('/legacy/forwarded/')).status).to.equal(400);
        expect((await t.get('/legacy/forwarded/', { token: 'nope' })).status).to.equal(400);
        const planner = await t.user('planner');
        expect((await t.get('/legacy/forwarded/', { token: planner.token })).status).to.equal(403);
      });
      it('rejects a bad query (unknown methods on the path) without forwarding', async () => {
        const admin = await t.user('admin');
        const before = seen.length;
        const res = await t.raw().post('/legacy/forwarded/').set('Authorization', `Bearer ${admin.token}`).send({});
        expect(res.status).to.be.within(400, 499);
        expect(seen.length).to.equal(before);
      });
    });
  },
  () => ({ CORNFLOW_LEGACY_URL: upstreamUrl }),
);

describe('legacy upstream down or not configured', () => {
  it('answers 502 with a JSON error when the upstream cannot be reached', async function () {
    this.timeout(30_000);
    const db = await createTestDatabase('sqlite');
    const deps = await prepare(testConfig(db.url, { CORNFLOW_LEGACY_URL: 'http://127.0.0.1:1' }), { logger: pino({ level: 'silent' }) });
    try {
      const res = await request(createApp(deps)).post('/my-app/x/').send({ a: 1 });
      expect(res.status).to.equal(502);
      expect(res.body.error).to.match(/legacy cornflow server .* could not be reached/);
      expect(deps.forwarded!.list()[0]).to.deep.include({ method: 'POST', path: '/my-app/x/', last_status: 502 });
    } finally {
      await deps.db.destroy();
    }
  });
  it('without CORNFLOW_LEGACY_URL unknown paths are 404 and /legacy/forwarded/ does not exist', async function () {
    this.timeout(30_000);
    const db = await createTestDatabase('sqlite');
    const deps = await prepare(testConfig(db.url), { logger: pino({ level: 'silent' }) });
    try {
      const app = createApp(deps);
      expect((await request(app).get('/my-app/x/')).status).to.equal(404);
      const res = await request(app).get('/legacy/forwarded/');
      contract.check('get', '/legacy/forwarded/', res);
      expect(res.status).to.equal(404);
      expect(await deps.db('api_view').where({ name: 'legacy-forwarded' }).first()).to.equal(undefined);
    } finally {
      await deps.db.destroy();
    }
  });
  it('refuses a CORNFLOW_LEGACY_URL that is not an http(s) URL', () => {
    expect(() => testConfig('sqlite:///:memory:', { CORNFLOW_LEGACY_URL: 'ftp://x' })).to.throw(/CORNFLOW_LEGACY_URL/);
  });
});
