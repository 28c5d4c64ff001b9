// End to end through the SDK (sdk/, @cornflow-ts/sdk) against a server listening on a real port: login →
// create an instance → read it back. The execution/solution part joins when executions are merged.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createCornflowClient, CornflowError, unwrap, type Schemas } from '../sdk/src/index.js';
import { forEachDatabase, type TestUser } from './support/app.js';

const NEW_INSTANCE = JSON.parse(readFileSync(new URL('../examples/data/new_instance.json', import.meta.url), 'utf8').toString());

forEachDatabase('sdk', (t) => {
  let server: Server;
  let baseUrl: string;
  let planner: TestUser;
  before(async () => {
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    planner = await t.user('planner');
  });
  after(() => new Promise((ok) => server.close(ok)));

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
