// Runs every script of examples/ (curl/*.sh with sh, ts/*.ts with node --import tsx) against a server
// started here, so the examples never rot. Adding an example is adding one file: it is found here, gets
// CORNFLOW_URL, CORNFLOW_USERNAME and CORNFLOW_PASSWORD (a planner) and must exit 0.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { forEachDatabase, type TestUser } from './support/app.js';
import { LocalRuntime } from '../src/local/runtime.js';

const run = promisify(execFile);
const EXAMPLES = resolve(import.meta.dirname, '..', 'examples');
const scripts = [
  ...readdirSync(join(EXAMPLES, 'curl')).filter((f) => f.endsWith('.sh')).map((f) => ({ file: join('curl', f), command: 'sh', args: [] as string[] })),
  ...readdirSync(join(EXAMPLES, 'ts')).filter((f) => f.endsWith('.ts') && f !== 'env.ts').map((f) => ({ file: join('ts', f), command: process.execPath, args: ['--import', 'tsx'] })),
];

forEachDatabase('examples', (t) => {
  let server: Server;
  let planner: TestUser;
  // The local backend, so that the execution examples see a real solve.
  let runtime: LocalRuntime | undefined;
  before(async () => {
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
    planner = await t.user('planner');
    runtime = new LocalRuntime(t.knex, { local: { workers: 1, runner: true } }, pino({ level: 'silent' }), { pollMs: 200 });
    await runtime.start(t.deps.orchestrator);
  });
  after(async () => {
    await runtime?.close();
    await new Promise((ok) => server.close(ok));
  });

  it('has curl and TypeScript examples', () => {
    expect(scripts.map((s) => s.file)).to.include.members(['curl/login.sh', 'curl/instance.sh', 'curl/users.sh', 'curl/execution.sh', 'curl/cases.sh', 'ts/login.ts', 'ts/instance.ts', 'ts/users.ts', 'ts/execution.ts', 'ts/cases.ts']);
  });

  for (const { file, command, args } of scripts) {
    it(`examples/${file} runs`, async function () {
      this.timeout(60_000);
      const env = {
        ...process.env,
        CORNFLOW_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        CORNFLOW_USERNAME: planner.username,
        CORNFLOW_PASSWORD: planner.password,
      };
      try {
        const { stdout } = await run(command, [...args, join(EXAMPLES, file)], { env, cwd: resolve(EXAMPLES, '..') });
        expect(stdout).not.to.equal('');
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        expect.fail(`examples/${file} exited ${e.code}\n${e.stdout}\n${e.stderr}`);
      }
    });
  }
});
