// The per-request caches of the hot path (docs/performance.md): they must never change an answer.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import knex from 'knex';
import { loadConfig } from '../src/config.js';
import { knexConfig, migrateLatest } from '../src/storage/db.js';
import { listPageSql } from '../src/storage/data-lists.js';
import { loadSpec, RouteTable } from '../src/api/spec.js';
import type { Request, RequestHandler, Response } from 'express';
import { fastRouteLookup } from '../src/api/eov-route-lookup.js';
import { Strategy as JwtStrategy } from 'passport-jwt';
import * as jose from 'jose';
import { forEachDatabase, TEST_SECRET, TestApp } from './support/app.js';
import { REMEMBERED_TOKENS, rememberVerifiedTokens } from '../src/auth/verified-tokens.js';
import { hmacKey } from '../src/auth/tokens.js';

describe('hot-path caches', () => {
  it('SQLite statement cache: a cached statement sees schema changes made after it was prepared', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cf-stmt-')), 'db.sqlite');
    const db = knex(knexConfig(loadConfig({ SECRET_KEY: 'k', DATABASE_URL: `sqlite:///${file}` })));
    try {
      await db.schema.createTable('t', (t) => t.integer('a'));
      await db('t').insert({ a: 1 });
      expect(await db('t').select('*')).to.deep.equal([{ a: 1 }]);
      await db.schema.alterTable('t', (t) => t.integer('b'));
      expect(await db('t').select('*')).to.deep.equal([{ a: 1, b: null }]);
      await db.schema.dropTable('t');
      await db.schema.createTable('t', (t) => t.text('c'));
      await db('t').insert({ c: 'x' });
      expect(await db('t').select('*')).to.deep.equal([{ c: 'x' }]);
      // Many distinct statements: the cache starts over instead of growing, answers unchanged.
      for (let i = 0; i < 1100; i++) expect((await db.raw(`select ${i} as n`))[0].n).to.equal(i);
      expect(await db('t').select('*')).to.deep.equal([{ c: 'x' }]);
    } finally {
      await db.destroy();
    }
  });

  it('route table: cached matches equal fresh ones, over more paths than the cache holds', () => {
    const routes = new RouteTable(loadSpec());
    const fresh = new RouteTable(loadSpec());
    const paths = ['/instance/', '/instance/abc/', '/instance/abc/data/', '/execution/x/status/', '/dag/deployed/', '/nope/', '/user/3/'];
    const first = paths.map((p) => routes.match(p)?.path);
    for (let i = 0; i < 12_000; i++) routes.match(`/instance/id${i}/`);
    expect(paths.map((p) => routes.match(p)?.path)).to.deep.equal(first);
    expect(first).to.deep.equal(paths.map((p) => fresh.routes.find((r) => r.regex.test(p))?.path));
    expect(routes.match('/nope/')).to.equal(undefined);
  });

  it("eov route lookup: the prepared lookup answers as eov's own for every route, method and odd path", async () => {
    // The validator's context, captured when the app's first request builds the metadata middleware.
    fastRouteLookup();
    const fromEov = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
    const dist = fromEov.resolve('express-openapi-validator').replace(/index\.js$/, '');
    const proto = (fromEov(`${dist}openapi.validator.js`) as { OpenApiValidator: { prototype: { metadataMiddleware: Function } } }).OpenApiValidator.prototype;
    const ours = proto.metadataMiddleware;
    let captured: unknown[] = [];
    proto.metadataMiddleware = function (this: unknown, ...args: unknown[]) {
      captured = args;
      return ours.apply(this, args);
    };
    const t = new TestApp('sqlite');
    try {
      await t.start();
      await t.raw().get('/health/');
    } finally {
      proto.metadataMiddleware = ours;
      await t.stop();
    }
    expect(captured).to.have.length(2);
    const original = (fromEov(`${dist}middlewares/openapi.metadata.js`) as { applyOpenApiMetadata: (...a: unknown[]) => RequestHandler }).applyOpenApiMetadata(...captured);
    const prepared = ours(...captured) as RequestHandler;
    const outcome = (mw: RequestHandler, url: string, method: string) => {
      const [path] = url.split('?');
      const req = { url, originalUrl: url, path, baseUrl: '', method, params: {}, app: { enabled: () => false } } as unknown as Request;
      let next = false;
      try {
        mw(req, {} as Response, () => (next = true));
      } catch (err) {
        const e = err as { name?: string; status?: number; message?: string; headers?: unknown };
        return { error: { name: e.name, status: e.status, message: e.message, headers: e.headers } };
      }
      const openapi = (req as { openapi?: Record<string, unknown> }).openapi;
      return { next, params: req.params, openapi: openapi && { ...openapi, schema: (openapi.schema as { operationId?: string } | undefined)?.operationId, _responseSchema: openapi._responseSchema !== undefined } };
    };
    const paths = new RouteTable(loadSpec()).routes.flatMap((r) => {
      const fill = (v: string) => r.path.replace(/\{[^}]+\}/g, v);
      return [fill('abc'), fill('12'), fill('%E2%82%AC'), fill('%E0%A4%A'), `${fill('x')}?a=1`, fill('x').replace(/\/$/, ''), `/${fill('x')}`];
    });
    paths.push('/', '/nope/', '/instance', '//instance/', '/instance/a/b/c/', '/INSTANCE/', '/openapi.json');
    const seen = { matched: 0, errors: 0 };
    for (const url of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
        const expected = outcome(original, url, method);
        expect(outcome(prepared, url, method), `${method} ${url}`).to.deep.equal(expected);
        if ('openapi' in expected && expected.openapi) seen.matched += 1;
        if ('error' in expected) seen.errors += 1;
      }
    }
    // Both kinds of answer were compared: operations found, and eov's 400/404/405.
    expect(seen.matched).to.be.greaterThan(200);
    expect(seen.errors).to.be.greaterThan(200);
  });
});

describe('list pages read a user\'s rows from an index (migrations/002_list_indexes.ts)', () => {
  it('SQLite plans each list page as an index search in order: no table scan, no sort', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cf-plan-')), 'db.sqlite');
    const db = knex(knexConfig(loadConfig({ SECRET_KEY: 'k', DATABASE_URL: `sqlite:///${file}` })));
    try {
      await migrateLatest(db);
      for (const table of ['instances', 'executions', 'cases']) {
        const page = listPageSql(table, [`${table}.id`], { all: false, userId: 1 }, { limit: 10, offset: 0 });
        const plan = ((await db.raw(`explain query plan ${page!.sql}`, page!.bindings)) as { detail: string }[]).map((r) => r.detail);
        expect(plan, table).to.deep.equal([`SEARCH ${table} USING INDEX ix_cornflow_ts_${table}_user_created (user_id=?)`]);
      }
      const byInstance = ((await db.raw(`explain query plan select id from executions where instance_id = ?`, ['x'])) as { detail: string }[]).map((r) => r.detail);
      expect(byInstance).to.deep.equal(['SEARCH executions USING INDEX ix_cornflow_ts_executions_instance (instance_id=?)']);
    } finally {
      await db.destroy();
    }
  });
});

describe('remembered token verifications (src/auth/verified-tokens.ts)', () => {
  const secret = new TextEncoder().encode(TEST_SECRET);
  const sign = (claims: Record<string, unknown>, key: Uint8Array = secret) =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
  const now = () => Math.floor(Date.now() / 1000);

  forEachDatabase('a remembered token', (t) => {
    it('is refused once it expires, with the expired message', async function () {
      this.timeout(10_000);
      const token = await sign({ sub: 'cornflow_admin', iss: 'cornflow', iat: now(), exp: now() + 2 });
      for (let i = 0; i < 3; i++) expect((await t.get('/instance/', { token })).status).to.equal(200);
      await new Promise((r) => setTimeout(r, (now() + 3 - Date.now() / 1000) * 1000));
      const res = await t.get('/instance/', { token });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The token has expired, please login again' });
    });

    it('is refused before its nbf, then accepted', async function () {
      this.timeout(10_000);
      const token = await sign({ sub: 'cornflow_admin', iss: 'cornflow', iat: now(), exp: now() + 60, nbf: now() + 2 });
      expect((await t.get('/instance/', { token })).status).to.equal(400);
      await new Promise((r) => setTimeout(r, (now() + 3 - Date.now() / 1000) * 1000));
      expect((await t.get('/instance/', { token })).status).to.equal(200);
      expect((await t.get('/instance/', { token })).status).to.equal(200);
    });

    it('opens nothing once its user is deleted or loses its role; a tampered copy or another key is never taken for it', async () => {
      const user = await t.user('planner');
      expect((await t.get('/instance/', { token: user.token })).status).to.equal(200);
      const [head, body, signature] = user.token.split('.');
      const flipped = `${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await t.get('/instance/', { token: `${head}.${body}.${flipped}` })).status).to.equal(400);
      const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
      const otherKey = await sign(claims, new TextEncoder().encode('another secret'));
      expect((await t.get('/instance/', { token: otherKey })).status).to.equal(400);
      await t.knex('user_role').where({ user_id: user.id }).delete();
      expect((await t.get('/instance/', { token: user.token })).status).to.equal(403);
      await t.knex('users').where({ id: user.id }).update({ deleted_at: '2026-01-01 00:00:00.000000' });
      expect((await t.get('/instance/', { token: user.token })).status).to.equal(400);
    });
  });

  it('answers as jsonwebtoken for more tokens than it remembers (it starts over)', async () => {
    rememberVerifiedTokens();
    const verifier = (JwtStrategy as unknown as { JwtVerifier: (t: string, k: unknown, o: object, cb: (e: Error | null, p?: unknown) => void) => void }).JwtVerifier;
    const key = hmacKey(TEST_SECRET);
    const options = { issuer: 'cornflow', algorithms: ['HS256'] };
    const verify = (token: string) => new Promise<unknown>((resolve) => verifier(token, key, options, (err, payload) => resolve(err ? err.name : payload)));
    const tokens = await Promise.all(Array.from({ length: REMEMBERED_TOKENS + 50 }, (_, i) => sign({ sub: `u${i}`, iss: 'cornflow', iat: now(), exp: now() + 600 })));
    for (const round of [0, 1]) {
      for (let i = 0; i < tokens.length; i += 997) {
        expect(await verify(tokens[i]!), `round ${round} token ${i}`).to.include({ sub: `u${i}` });
      }
    }
    for (const token of tokens) await verify(token);
    expect(await verify(tokens[7]!)).to.include({ sub: 'u7' });
    // Other options (another issuer) are answered for themselves.
    const strict = { issuer: 'someone-else', algorithms: ['HS256'] };
    expect(await new Promise((resolve) => verifier(tokens[7]!, key, strict, (err) => resolve(err?.name)))).to.equal('JsonWebTokenError');
  });
});
