import { expect } from 'chai';
import { createTestDatabase, forEachDatabase, testConfig, type CallOptions } from './support/app.js';
import { ContractChecker } from './support/contract.js';
import { loadConfig } from '../src/config.js';
import { loadSpec } from '../src/api/spec.js';
import { servedSpec } from '../src/app.js';
import { importPlugin, mergeSpecs, migratePlugins, pluginAppModules, PluginError, rollbackPlugins, validateMergedSpec } from '../src/plugins/loader.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../src/bootstrap.js';
import { createDb } from '../src/storage/db.js';
import { BUILT_IN_APP_MODULES } from '../src/local/pool.js';
import type { CornflowPlugin } from '../src/plugins/types.js';
import { ensureUserWithRole } from '../src/domain/users.js';
import pino from 'pino';
import { LocalRuntime } from '../src/local/runtime.js';

const EXAMPLE = './plugins/example';

forEachDatabase(
  'plugins (example plugin)',
  (t) => {
    // Responses of the plugin's operations are checked against the merged contract.
    let checker: ContractChecker | undefined;
    const call = async (method: 'get' | 'post' | 'delete', url: string, opts?: CallOptions) => {
      const res = await t[method](url, opts);
      (checker ??= new ContractChecker(t.deps.routes.spec)).check(method, url, res);
      return res;
    };
    it('serves the merged contract: the plugin operations, schemas and views', () => {
      const spec = servedSpec(t.deps) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
      expect(spec.paths).to.include.keys('/example-notes/', '/example-notes/{idx}/', '/instance/');
      expect(spec.components.schemas).to.include.keys('ExampleNote', 'ExampleNoteRequest', 'InstanceDetail');
      expect(t.deps.routes.view('example-notes')?.url_rule).to.equal('/example-notes/');
    });
    it('seeds the plugin views and permissions', async () => {
      const views = await t.knex('api_view').whereIn('name', ['example-notes', 'example-notes-detail']);
      expect(views.length).to.equal(2);
      const viewer = await t.knex('permission_view as p').join('api_view as v', 'v.id', 'p.api_view_id').where({ 'v.name': 'example-notes', 'p.role_id': 1 });
      expect(viewer.map((r: { action_id: number }) => Number(r.action_id))).to.deep.equal([1]);
    });
    it('creates, lists, gets and deletes notes', async () => {
      const planner = await t.user('planner');
      const created = await call('post', '/example-notes/', { token: planner.token, body: { title: 'first', body: 'hello' } });
      expect(created.status).to.equal(201);
      expect(created.body).to.deep.equal({ id: created.body.id, title: 'first', body: 'hello', user_id: planner.id });
      expect((await call('get', '/example-notes/', { token: planner.token, query: { title: 'first' } })).body).to.deep.equal([created.body]);
      expect((await call('get', `/example-notes/${created.body.id}/`, { token: planner.token })).body).to.deep.equal(created.body);
      const svc = await t.user('service');
      const row = await t.get(`/table/example_notes/${created.body.id}/`, { token: svc.token });
      expect(row.status).to.equal(200);
      expect(row.body.title).to.equal('first');
      const del = await call('delete', `/example-notes/${created.body.id}/`, { token: planner.token });
      expect(del.body).to.deep.equal({ message: 'The object has been deleted' });
      expect((await call('get', `/example-notes/${created.body.id}/`, { token: planner.token })).status).to.equal(404);
    });
    it('enforces permissions (viewer reads only) and authentication', async () => {
      const viewer = await t.user('viewer');
      expect((await call('get', '/example-notes/', { token: viewer.token })).status).to.equal(200);
      const res = await call('post', '/example-notes/', { token: viewer.token, body: { title: 'x' } });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ error: 'You do not have permission to access this endpoint' });
      expect((await call('get', '/example-notes/')).status).to.equal(400);
    });
    it('seeds its custom role and enforces its permissions', async () => {
      const role = await t.knex('roles').where({ id: 10 }).first();
      expect(role?.name).to.equal('note_moderator');
      const granted = await t.knex('permission_view as p').join('api_view as v', 'v.id', 'p.api_view_id').where({ 'p.role_id': 10 });
      expect(granted.map((r: { name: string; action_id: number }) => `${r.name}:${Number(r.action_id)}`).sort()).to.deep.equal([
        'example-notes-detail:1', 'example-notes-detail:5', 'example-notes:1', 'example-notes:5',
      ]);
      const planner = await t.user('planner');
      const note = (await call('post', '/example-notes/', { token: planner.token, body: { title: 'to moderate' } })).body;
      const username = `moderator_${t.kind}`;
      await ensureUserWithRole(t.knex, { username, email: `${username}@example.com`, password: 'Testpass1!' }, 10, true);
      const token = await t.login(username, 'Testpass1!');
      expect((await call('get', '/example-notes/', { token })).status).to.equal(200);
      expect((await call('get', `/example-notes/${note.id}/`, { token })).status).to.equal(200);
      const post = await call('post', '/example-notes/', { token, body: { title: 'nope' } });
      expect(post.status).to.equal(403);
      expect(post.body).to.deep.equal({ error: 'You do not have permission to access this endpoint' });
      expect((await t.get('/instance/', { token })).status).to.equal(403);
      expect((await call('delete', `/example-notes/${note.id}/`, { token })).status).to.equal(200);
    });
    it('runs its app on the local backend, end to end', async function () {
      this.timeout(60_000);
      expect(t.deps.pluginApps).to.have.keys('example_sum');
      const planner = await t.user('planner');
      const schema = await t.get('/schema/example_sum/', { token: planner.token });
      expect(schema.status).to.equal(200);
      expect(schema.body.instance.required).to.deep.equal(['numbers']);
      const bad = await t.post('/instance/', { token: planner.token, body: { name: 'bad', data: { numbers: 'x' }, schema: 'example_sum' } });
      expect(bad.status).to.equal(400);
      const instance = await t.post('/instance/', { token: planner.token, body: { name: 'sum', data: { numbers: [1, 2, 3.5] }, schema: 'example_sum' } });
      expect(instance.status).to.equal(201);
      const runtime = new LocalRuntime(t.knex, { local: { workers: 1, runner: true } }, pino({ level: 'silent' }), { pollMs: 200, apps: t.deps.pluginApps });
      await runtime.start(t.deps.orchestrator);
      try {
        const exec = await t.post('/execution/', { token: planner.token, body: { instance_id: instance.body.id, name: 'sum', config: { scale: 2 }, schema: 'example_sum' } });
        expect(exec.status).to.equal(201);
        const until = Date.now() + 30_000;
        let state = -7;
        while ((state === -7 || state === 0) && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 100));
          state = (await t.get(`/execution/${exec.body.id}/status/`, { token: planner.token })).body.state as number;
        }
        expect(state).to.equal(1);
        const data = await t.get(`/execution/${exec.body.id}/data/`, { token: planner.token });
        expect(data.body.data).to.deep.equal({ total: 13 });
        const log = await t.get(`/execution/${exec.body.id}/log/`, { token: planner.token });
        expect(log.body.log_text).to.equal('summed 3 numbers: 13\n');
      } finally {
        await runtime.close();
      }
    });
    it('validates requests against the plugin schemas, writing nothing', async () => {
      const planner = await t.user('planner');
      const before = Number((await t.knex('example_notes').count({ n: '*' }))[0].n);
      for (const body of [{}, { title: '' }, { title: 5 }, { title: 'a', other: 1 }]) {
        const res = await call('post', '/example-notes/', { token: planner.token, body });
        expect(res.status, JSON.stringify(body)).to.equal(400);
      }
      expect(Number((await t.knex('example_notes').count({ n: '*' }))[0].n)).to.equal(before);
    });
    it('runs its migrations in its own table, and rolls them back', async () => {
      expect(await t.knex.schema.hasTable('cornflow_ts_migrations_example')).to.equal(true);
      const plugin = await importPlugin(EXAMPLE);
      expect(await rollbackPlugins(t.knex, [plugin])).to.deep.equal(['example:001_example_notes']);
      expect(await t.knex.schema.hasTable('example_notes')).to.equal(false);
      expect(await t.knex.schema.hasTable('instances')).to.equal(true);
      expect(await migratePlugins(t.knex, [plugin])).to.deep.equal(['example:001_example_notes']);
      expect(await t.knex.schema.hasTable('example_notes')).to.equal(true);
    });
  },
  { CORNFLOW_PLUGINS: EXAMPLE },
);

describe('plugin loading and merging', () => {
  const core = loadSpec();
  const op = (operationId: string) => ({ operationId, security: [{ bearerAuth: [] }], responses: { '200': { description: 'ok' } } });
  const plugin = (over: Partial<CornflowPlugin> = {}): CornflowPlugin => ({
    name: 'p',
    spec: {
      paths: { '/p/': { 'x-cornflow-view': 'p', get: op('getP') } },
      components: { schemas: { PThing: { type: 'object' } } },
      'x-cornflow-views': [{ name: 'p', url_rule: '/p/', roles: ['admin'] }],
    },
    handlers: { getP: async () => ({ status: 200, body: {} }) },
    ...over,
  });
  const fails = (p: CornflowPlugin[], message: RegExp) => expect(() => mergeSpecs(core, p)).to.throw(PluginError, message);

  it('merges a consistent plugin', () => {
    const merged = mergeSpecs(core, [plugin()]);
    expect(merged.paths['/p/']).to.exist;
    expect(core.paths['/p/']).to.equal(undefined);
  });
  it('stops on a path collision', () => {
    const p = plugin();
    p.spec.paths = { '/instance/': { 'x-cornflow-view': 'p', get: op('getP') } };
    fails([p], /path \/instance\/ already exists/);
  });
  it('stops on an operationId collision, with the core or between plugins', () => {
    const p = plugin({ handlers: { listInstances: async () => ({ status: 200, body: [] }) } });
    p.spec.paths = { '/p/': { 'x-cornflow-view': 'p', get: op('listInstances') } };
    fails([p], /operationId listInstances .* already exists/);
    const q = plugin({ name: 'q' });
    q.spec = { ...q.spec, paths: { '/q/': { 'x-cornflow-view': 'q', get: op('getP') } }, components: {}, 'x-cornflow-views': [{ name: 'q', url_rule: '/q/', roles: ['admin'] }] };
    fails([plugin(), q], /plugin q: operationId getP/);
  });
  it('stops on a schema or view name collision', () => {
    const p = plugin();
    p.spec.components = { schemas: { InstanceDetail: {} } };
    fails([p], /schema InstanceDetail already exists/);
    const v = plugin();
    v.spec['x-cornflow-views'] = [{ name: 'instance', url_rule: '/p/', roles: ['admin'] }];
    fails([v], /view instance already exists/);
  });
  it('stops on a handler without operation and an operation without handler', () => {
    fails([plugin({ handlers: { getP: async () => ({ status: 200, body: {} }), stray: async () => ({ status: 200, body: {} }) } })], /handler stray has no operation/);
    fails([plugin({ handlers: {} })], /operation getP \(GET \/p\/\) has no handler/);
  });
  it('stops on a path without view or with an unknown view', () => {
    const p = plugin();
    p.spec.paths = { '/p/': { get: op('getP') } };
    fails([p], /has no x-cornflow-view/);
    const q = plugin();
    q.spec.paths = { '/p/': { 'x-cornflow-view': 'nope', get: op('getP') } };
    fails([q], /view nope, which is not in x-cornflow-views/);
  });
  it('checks custom roles: known in the views, ids above 4, no duplicates', () => {
    const p = plugin({ roles: [{ id: 20, name: 'auditor', actions: ['get'] }] });
    p.spec['x-cornflow-views'] = [{ name: 'p', url_rule: '/p/', roles: ['admin', 'auditor' as never] }];
    expect(() => mergeSpecs(core, [p])).to.not.throw();
    const unknown = plugin();
    unknown.spec['x-cornflow-views'] = [{ name: 'p', url_rule: '/p/', roles: ['auditor' as never] }];
    fails([unknown], /view p names role auditor, which is neither a core role nor a custom role/);
    fails([plugin({ roles: [{ id: 3, name: 'boss', actions: [] }] })], /role boss needs an integer id above 4/);
    fails([plugin({ roles: [{ id: 20, name: 'a', actions: [] }, { id: 20, name: 'b', actions: [] }] })], /role b \(id 20\) already exists/);
    fails([plugin({ roles: [{ id: 20, name: 'a', actions: ['fly' as never] }] })], /unknown action fly/);
  });
  it('checks plugin apps: a new name and an existing module', () => {
    const app = { id: 'sum', module: '/nonexistent/solve.js', schemas: { instance: {} } };
    expect(() => pluginAppModules([plugin({ apps: [app] })])).to.throw(PluginError, /app sum: module \/nonexistent\/solve.js not found/);
    expect(() => pluginAppModules([plugin({ apps: [{ ...app, id: 'solve_model_dag', module: BUILT_IN_APP_MODULES.solve_model_dag! }] })])).to.throw(PluginError, /app solve_model_dag already exists/);
  });
  it('lints the merged document: OpenAPI 3.1 structure and local $refs', () => {
    expect(() => validateMergedSpec(mergeSpecs(core, [plugin()]))).to.not.throw();
    const noDescription = plugin();
    noDescription.spec.paths = { '/p/': { 'x-cornflow-view': 'p', get: { operationId: 'getP', responses: { '200': {} } } } };
    expect(() => validateMergedSpec(mergeSpecs(core, [noDescription]))).to.throw(PluginError, /merged OpenAPI document is invalid: .*\/paths\/~1p~1\/get\/responses\/200/);
    const badRef = plugin();
    badRef.spec.paths = {
      '/p/': { 'x-cornflow-view': 'p', get: { operationId: 'getP', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } } } },
    };
    expect(() => validateMergedSpec(mergeSpecs(core, [badRef]))).to.throw(PluginError, /\$ref #\/components\/schemas\/Nope does not resolve/);
  });
  it('stops start-up on a broken fragment before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cornflow-broken-plugin-'));
    writeFileSync(
      join(dir, 'index.mjs'),
      `export const plugin = { name: 'broken', handlers: { getBroken: async () => ({ status: 200, body: {} }) }, spec: {
        paths: { '/broken/': { 'x-cornflow-view': 'broken', get: { operationId: 'getBroken', parameters: [{ name: 'x', in: 'body' }], responses: { '200': { description: 'ok' } } } } },
        'x-cornflow-views': [{ name: 'broken', url_rule: '/broken/', roles: ['admin'] }] } };\n`,
    );
    const database = await createTestDatabase('sqlite');
    try {
      let err: unknown;
      try {
        await prepare(testConfig(database.url, { CORNFLOW_PLUGINS: dir }), { logger: pino({ level: 'silent' }) });
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(PluginError);
      expect((err as Error).message).to.match(/merged OpenAPI document is invalid: \/paths\/~1broken~1\/get\/parameters\/0/);
      const db = createDb(loadConfig({ DATABASE_URL: database.url }));
      expect(await db.schema.hasTable('users')).to.equal(false);
      await db.destroy();
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('names a plugin that cannot be loaded', async () => {
    let err: unknown;
    try {
      await importPlugin('./plugins/does-not-exist');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(PluginError);
    expect((err as Error).message).to.match(/does-not-exist/);
  });
  it('takes plugins from CORNFLOW_PLUGINS and from EXTERNAL_APP / EXTERNAL_APP_MODULE', () => {
    expect(loadConfig({ CORNFLOW_PLUGINS: 'a, ./b' }).plugins).to.deep.equal(['a', './b']);
    expect(loadConfig({ EXTERNAL_APP: '1', EXTERNAL_APP_MODULE: 'my_app' }).plugins).to.deep.equal(['my_app']);
    expect(loadConfig({ EXTERNAL_APP: '0', EXTERNAL_APP_MODULE: 'my_app' }).plugins).to.deep.equal([]);
  });
});
