// End to end through the SDK (sdk/, @cornflow-ts/sdk) against a server listening on a real port: login →
// create an instance → read it back; launch an execution solved by a LocalRuntime → its solution and log; cases.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCornflowClient, CornflowError, unwrap, type Schemas } from '../sdk/src/index.js';
import pino from 'pino';
import { forEachDatabase, type TestUser } from './support/app.js';
import { LocalRuntime } from '../src/local/runtime.js';

const NEW_INSTANCE = JSON.parse(readFileSync(new URL('../examples/data/new_instance.json', import.meta.url), 'utf8').toString());

forEachDatabase('sdk', (t) => {
  let server: Server;
  let baseUrl: string;
  let planner: TestUser;
  let runtime: LocalRuntime | undefined;
  before(async () => {
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    planner = await t.user('planner');
    runtime = new LocalRuntime(t.knex, { local: { workers: 1, runner: true } }, pino({ level: 'silent' }), { pollMs: 200 });
    await runtime.start(t.deps.orchestrator);
  });
  after(async () => {
    await runtime?.close();
    await new Promise((ok) => server.close(ok));
  });

  it('logs in, creates an instance and reads it back', async () => {
    const cf = createCornflowClient({ baseUrl });
    const login = await cf.login(planner.username, planner.password);
    expect(login.id).to.equal(planner.id);
    expect(cf.token).to.equal(login.token);

    const body: Schemas['InstanceCreateRequest'] = { name: NEW_INSTANCE.name, description: NEW_INSTANCE.description, schema: 'solve_model_dag', data: NEW_INSTANCE.data };
    const created = await unwrap(cf.api.POST('/instance/', { body }));
    expect(created.user_id).to.equal(planner.id);

    const detail = await unwrap(cf.api.GET('/instance/{idx}/', { params: { path: { idx: created.id } } }));
    expect(detail).to.include({ id: created.id, name: NEW_INSTANCE.name, data_hash: created.data_hash });
    expect(detail.executions).to.deep.equal([]);
    const data = await unwrap(cf.api.GET('/instance/{idx}/data/', { params: { path: { idx: created.id } } }));
    expect(data.data).to.deep.equal(NEW_INSTANCE.data);
    const list = await unwrap(cf.api.GET('/instance/', { params: { query: { limit: 5 } } }));
    expect(list.map((i) => i.id)).to.include(created.id);
    const valid = await unwrap(cf.api.GET('/token/'));
    expect(valid.valid).to.equal(1);
  });

  it('launches an execution, waits until it is solved and reads the solution and the log', async function () {
    this.timeout(60_000);
    const cf = createCornflowClient({ baseUrl });
    await cf.login(planner.username, planner.password);
    const instance = await unwrap(cf.api.POST('/instance/', { body: { name: 'sdk model', schema: 'solve_model_dag', data: NEW_INSTANCE.data } }));
    const created = await unwrap(cf.api.POST('/execution/', { body: { instance_id: instance.id, name: 'sdk run', config: { timeLimit: 10 } } }));
    expect(created).to.include({ instance_id: instance.id, state: -7, user_id: planner.id });
    const path = { idx: created.id };
    let state = created.state;
    const until = Date.now() + 30_000;
    while ([0, -7, -5].includes(state) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await unwrap(cf.api.GET('/execution/{idx}/status/', { params: { path } }))).state;
    }
    expect(state).to.equal(1);
    const data = await unwrap(cf.api.GET('/execution/{idx}/data/', { params: { path } }));
    expect(data).to.include({ id: created.id, state: 1 });
    const vars = (data.data as { variables: { varValue: unknown }[] }).variables;
    expect(vars.every((x) => typeof x.varValue === 'number')).to.equal(true);
    const log = await unwrap(cf.api.GET('/execution/{idx}/log/', { params: { path } }));
    expect((log.log as { status: string; best_solution: number }).status).to.equal('Optimal');
    expect((log.log as { best_solution: number }).best_solution).to.be.closeTo(54, 1e-6);
    const detail = await unwrap(cf.api.GET('/instance/{idx}/', { params: { path: { idx: instance.id } } }));
    expect(detail.executions.map((e) => e.id)).to.deep.equal([created.id]);
    // The solved execution becomes a case: instance data as data, solution as solution.
    const kase = await unwrap(cf.api.POST('/case/instance/', { body: { name: 'sdk case', schema: 'solve_model_dag', execution_id: created.id } }));
    const caseData = await unwrap(cf.api.GET('/case/{idx}/data/', { params: { path: { idx: kase.id } } }));
    expect(caseData.data).to.deep.equal(NEW_INSTANCE.data);
    expect(caseData.data_hash).to.equal(instance.data_hash);
    expect(caseData.solution).to.deep.equal(data.data);
  });

  it('cases: a directory, a case in it, the tree and its data; bad data is refused', async () => {
    const cf = createCornflowClient({ baseUrl });
    await cf.login(planner.username, planner.password);
    const dir = await unwrap(cf.api.POST('/case/', { body: { name: 'sdk folder', schema: 'solve_model_dag' } }));
    const kase = await unwrap(cf.api.POST('/case/', { body: { name: 'sdk raw case', schema: 'solve_model_dag', parent_id: dir.id, data: NEW_INSTANCE.data } }));
    expect(kase.path).to.equal(`${dir.id}/`);
    const tree = await unwrap(cf.api.GET('/case/'));
    expect(tree.find((c) => c.id === dir.id)).to.include({ is_dir: true });
    expect(tree.find((c) => c.id === kase.id)).to.include({ is_dir: false, path: `${dir.id}/` });
    const data = await unwrap(cf.api.GET('/case/{idx}/data/', { params: { path: { idx: kase.id } } }));
    expect(data.data).to.deep.equal(NEW_INSTANCE.data);
    const before = tree.length;
    const bad = await cf.api.POST('/case/', { body: { name: 'bad', schema: 'solve_model_dag', data: { objective: 'nope' } } });
    expect(bad.response.status).to.equal(400);
    expect(await unwrap(cf.api.GET('/case/'))).to.have.length(before);
  });

  it('turns error answers into CornflowError (400 auth, 404 missing, 403 permission)', async () => {
    const cf = createCornflowClient({ baseUrl });
    const noToken = await cf.api.GET('/instance/');
    expect(noToken.response.status).to.equal(400);
    expect(noToken.error).to.deep.equal({ error: 'Authorization header is missing' });
    try {
      await cf.login(planner.username, 'wrong');
      expect.fail('login should fail');
    } catch (err) {
      expect(err).to.be.instanceOf(CornflowError);
      expect((err as CornflowError).status).to.equal(400);
    }
    expect(cf.token).to.equal(undefined);
    cf.setToken(planner.token);
    const missing = await cf.api.GET('/instance/{idx}/', { params: { path: { idx: 'f'.repeat(40) } } });
    expect(missing.response.status).to.equal(404);
    const forbidden = await cf.api.POST('/roles/', { body: { name: 'scheduler' } });
    expect(forbidden.response.status).to.equal(403);
    cf.logout();
    expect(cf.token).to.equal(undefined);
  });
});

describe('the SDK package (sdk/)', () => {
  it('compiles on its own with its tsconfig, and pins the same openapi-fetch as the server', function () {
    this.timeout(120_000);
    const root = new URL('..', import.meta.url).pathname;
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'sdk', 'tsconfig.json'), '--noEmit'], { stdio: 'pipe' });
    const sdk = JSON.parse(readFileSync(join(root, 'sdk', 'package.json'), 'utf8'));
    const server = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(sdk.dependencies['openapi-fetch']).to.equal(server.dependencies['openapi-fetch']);
    expect(readFileSync(join(root, 'sdk', 'src', 'api.ts'), 'utf8')).to.equal(readFileSync(join(root, 'generated', 'api.ts'), 'utf8'));
  });
});
