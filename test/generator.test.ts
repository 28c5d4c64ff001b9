import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { forEachDatabase, type TestApp } from './support/app.js';
import { ContractChecker } from './support/contract.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { describeTables, generatePlugin, GeneratorError, writePlugin } from '../src/plugins/generator.js';
import { importPlugin, migratePlugins, rollbackPlugins } from '../src/plugins/loader.js';

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'generator', name), 'utf8'));
const out = mkdtempSync(join(tmpdir(), 'cornflow-gen-plugins-'));
const LIBRARY = join(out, 'library');
const SENSORS = join(out, 'sensors');
writePlugin(generatePlugin({ schema: fixture('library.json'), appName: 'library', endpointsAccess: { authors: ['planner', 'admin'] } }), LIBRARY);
writePlugin(generatePlugin({ schema: fixture('one_table.json'), one: 'sensors', removeMethods: ['patch_detail'] }), SENSORS);
after(() => rmSync(out, { recursive: true, force: true }));

/** A client for the generated checks: authenticated calls, each response checked against the merged contract. */
function client(t: TestApp, token: () => Promise<string>) {
  let checker: ContractChecker | undefined;
  return {
    async call(method: 'get' | 'post' | 'put' | 'patch' | 'delete', url: string, body?: unknown) {
      const [path, qs] = url.split('?');
      const query = qs ? Object.fromEntries(new URLSearchParams(qs)) : undefined;
      const res = await t[method](path!, { token: await token(), body, query });
      (checker ??= new ContractChecker(t.deps.routes.spec)).check(method, path!, res);
      return { status: res.status, body: res.body };
    },
  };
}

describe('generate_from_schema (unit)', () => {
  it('describes tables: urls, views, foreign keys, added ids, methods and roles', () => {
    const tables = describeTables({ schema: fixture('library.json'), appName: 'library' });
    expect(tables.map((t) => t.name)).to.deep.equal(['authors', 'books', 'loans']);
    const books = tables[1]!;
    expect(books.url).to.equal('/library/books/');
    expect(books.view).to.equal('library-books');
    expect(books.columns.find((c) => c.name === 'id_author')?.references).to.equal('library_authors.id');
    expect(tables[2]!.autoId).to.equal(true);
    expect(books.roles).to.deep.equal(['service']);
    const one = describeTables({ schema: fixture('one_table.json'), one: 'sensors', removeMethods: ['put_bulk'] })[0]!;
    expect(one.url).to.equal('/sensors/');
    expect(one.idType).to.equal('string');
    expect(one.methods).to.not.include('put_bulk');
  });
  it('rejects bad input with a message', () => {
    expect(() => describeTables({ schema: { type: 'object' } })).to.throw(GeneratorError, /no top-level "properties"/);
    expect(() => describeTables({ schema: fixture('library.json'), removeMethods: ['nope'] })).to.throw(GeneratorError, /unknown method "nope"/);
    const badFk = fixture('library.json');
    badFk.properties.books.items.properties.id_author.foreign_key = 'writers.id';
    expect(() => describeTables({ schema: badFk })).to.throw(GeneratorError, /foreign key writers.id/);
    expect(() => describeTables({ schema: fixture('library.json'), endpointsAccess: { books: ['boss'] } })).to.throw(GeneratorError, /unknown role "boss"/);
  });
  it('writes openapi.json, index.mjs, checks.mjs and a README', () => {
    const spec = JSON.parse(readFileSync(join(LIBRARY, 'openapi.json'), 'utf8'));
    expect(Object.keys(spec.paths)).to.include.members(['/library/books/', '/library/books/{idx}/', '/library/books/bulk/']);
    expect(spec.paths['/library/books/{idx}/'].patch.operationId).to.equal('patchLibraryBooks');
    expect(spec['x-cornflow-views'].find((v: { name: string }) => v.name === 'library-authors').roles).to.deep.equal(['planner', 'admin']);
  });
});

describe('generate_from_schema (CLI)', function () {
  this.timeout(60_000);
  const dev = join(PROJECT_ROOT, 'bin', 'dev.js');
  it("takes cornflow's options and the friendlier alias", () => {
    const a = join(out, 'cli-a');
    execFileSync(process.execPath, [dev, 'schemas', 'generate_from_schema', '-p', join(import.meta.dirname, 'fixtures', 'generator', 'library.json'), '-a', 'library', '-o', a, '-r', 'put_bulk']);
    expect(JSON.parse(readFileSync(join(a, 'openapi.json'), 'utf8')).paths['/library/books/bulk/']).to.not.have.property('put');
    const b = join(out, 'cli-b');
    execFileSync(process.execPath, [dev, 'plugins', 'generate', join(import.meta.dirname, 'fixtures', 'generator', 'one_table.json'), '--table', 'sensors', '--out', b]);
    expect(existsSync(join(b, 'index.mjs'))).to.equal(true);
    const bad = spawnSync(process.execPath, [dev, 'schemas', 'generate_from_schema', '-p', join(out, 'missing.json')], { encoding: 'utf8' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/^Error: schema .*missing.json does not exist$/m);
  });
});

forEachDatabase(
  'generated plugins end to end',
  (t) => {
    it('loads both generated plugins, seeds their views and runs their migrations', async () => {
      expect(t.deps.routes.spec.paths).to.include.keys('/library/authors/', '/library/loans/bulk/', '/sensors/{idx}/');
      expect(t.deps.routes.spec.paths['/sensors/{idx}/']).to.not.have.property('patch');
      const views = await t.knex('api_view').whereIn('name', ['library-books', 'library-books-details', 'library-books-bulk', 'sensors']);
      expect(views.length).to.equal(4);
      for (const table of ['library_authors', 'library_books', 'library_loans', 'sensors']) expect(await t.knex.schema.hasTable(table), table).to.equal(true);
    });
    it('passes the generated checks of the library plugin (with foreign keys)', async () => {
      // Books and loans are service-only; authors are open to planners (-e), so a service user is refused there.
      const svc = await t.user('service');
      const planner = await t.user('planner');
      const { runChecks } = await import(pathToFileURL(join(LIBRARY, 'checks.mjs')).href);
      const route = (url: string) => (url.startsWith('/library/authors/') ? planner.token : svc.token);
      let current = '';
      const byUrl = client(t, async () => route(current));
      const report = await runChecks({ call: (m: 'get', url: string, body?: unknown) => ((current = url), byUrl.call(m, url, body)) });
      expect(report).to.deep.equal(['authors', 'books', 'loans']);
    });
    it('passes the generated checks of the one-table plugin', async () => {
      const svc = await t.user('service');
      const { runChecks } = await import(pathToFileURL(join(SENSORS, 'checks.mjs')).href);
      expect(await runChecks(client(t, async () => svc.token))).to.deep.equal(['sensors']);
    });
    it('enforces the generated permissions and foreign keys, writing nothing on bad input', async () => {
      const planner = await t.user('planner');
      const svc = await t.user('service');
      expect((await t.get('/library/books/', { token: planner.token })).status).to.equal(403);
      expect((await t.get('/library/authors/', { token: svc.token })).status).to.equal(403);
      expect((await t.get('/library/books/')).status).to.equal(400);
      const before = Number((await t.knex('library_books').count({ n: '*' }))[0].n);
      const res = await t.raw().post('/library/books/').set('Authorization', `Bearer ${svc.token}`).send({ id: 500, title: 't', id_author: 99999, price: 1 });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.match(/^Integrity error on saving/);
      const bulk = await t.raw().post('/library/books/bulk/').set('Authorization', `Bearer ${svc.token}`).send({ data: [{ id: 501, title: 't', id_author: 1, price: 1 }, { id: 502, title: 't', id_author: 99999, price: 1 }] });
      expect(bulk.status).to.equal(400);
      expect(Number((await t.knex('library_books').count({ n: '*' }))[0].n)).to.equal(before);
    });
    it('rolls the generated migrations back', async () => {
      const plugins = [await importPlugin(LIBRARY), await importPlugin(SENSORS)];
      await rollbackPlugins(t.knex, plugins);
      expect(await t.knex.schema.hasTable('library_books')).to.equal(false);
      await migratePlugins(t.knex, plugins);
      expect(await t.knex.schema.hasTable('library_books')).to.equal(true);
    });
  },
  () => ({ CORNFLOW_PLUGINS: `${LIBRARY},${SENSORS}` }),
);
