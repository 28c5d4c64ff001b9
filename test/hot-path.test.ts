// The per-request caches of the hot path (docs/performance.md): they must never change an answer.
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import knex from 'knex';
import { loadConfig } from '../src/config.js';
import { knexConfig } from '../src/storage/db.js';
import { loadSpec, RouteTable } from '../src/api/spec.js';
import type { Request, RequestHandler, Response } from 'express';
import { fastRouteLookup } from '../src/api/eov-route-lookup.js';
import { TestApp } from './support/app.js';

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
