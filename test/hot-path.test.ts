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
import { cacheRouteRegexps } from '../src/api/route-regexp-cache.js';

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

  it('path-to-regexp cache: same compiled route for the same route and options, other options compile anew', () => {
    cacheRouteRegexps();
    const ptr = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'))('path-to-regexp') as {
      pathToRegexp: (p: string, o?: Record<string, unknown>) => { regexp: RegExp; keys: { name: string }[] };
    };
    const a = ptr.pathToRegexp('/instance/:idx/', { sensitive: false, strict: false });
    expect(ptr.pathToRegexp('/instance/:idx/', { strict: false, sensitive: false })).to.equal(a);
    expect(a.regexp.exec('/instance/xyz/')?.[1]).to.equal('xyz');
    expect(ptr.pathToRegexp('/instance/:idx/', { sensitive: true, strict: false })).to.not.equal(a);
    const ended = ptr.pathToRegexp('/instance/:idx/', { end: false });
    expect(ended).to.not.equal(ptr.pathToRegexp('/instance/:idx/', { end: false }));
    expect(ended.regexp.test('/instance/xyz/')).to.equal(true);
  });
});
