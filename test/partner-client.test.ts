// A second generator (swagger-typescript-api) makes a client from the bundled spec; it compiles with tsc and
// works against a running server (scripts/partner-client.ts).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { generatePartnerClient } from '../scripts/partner-client.js';
import { forEachDatabase } from './support/app.js';

const DATA = JSON.parse(readFileSync(new URL('../examples/data/new_instance.json', import.meta.url), 'utf8')).data;

// Compiled with the client: a partner's use of it (a type error here fails the generation step).
const USAGE = `import { Api } from './CornflowApi.js';
export async function createOne(baseUrl: string, username: string, password: string, data: unknown): Promise<string> {
  const api = new Api<string>({ baseUrl, securityWorker: (token) => (token ? { headers: { Authorization: \`Bearer \${token}\` } } : {}) });
  const login = await api.login.login({ username, password });
  api.setSecurityData(login.data.token);
  const created = await api.instance.createInstance({ name: 'partner', data, schema: 'solve_model_dag' }, { secure: true });
  const read = await api.instance.getInstance(created.data.id, { secure: true });
  return read.data.name;
}
`;

forEachDatabase('partner client (swagger-typescript-api)', (t) => {
  let dir: string;
  let server: Server;
  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(join(tmpdir(), 'cornflow-partner-'));
    generatePartnerClient(dir, { 'usage.ts': USAGE });
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((ok) => server.close(ok));
  });

  it('generates a client that compiles and works against the server', async () => {
    const planner = await t.user('planner');
    const { createOne } = (await import(pathToFileURL(join(dir, 'usage.ts')).href)) as { createOne: (b: string, u: string, p: string, d: unknown) => Promise<string> };
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await createOne(baseUrl, planner.username, planner.password, DATA)).to.equal('partner');
  });
});
