// The CLI's client commands (cornflow login, instances list | create | get, executions create | get | data | log |
// stop against a LocalRuntime that really solves), run as subprocesses of the built bin
// against a server listening on a loopback port (SQLite and PostgreSQL). Each suite has its own
// XDG_CONFIG_HOME, so the stored login never touches the real user's config.
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDatabase, type TestUser } from './support/app.js';
import { PROJECT_ROOT } from '../src/paths.js';
import pino from 'pino';
import { LocalRuntime } from '../src/local/runtime.js';
import { hard } from './support/models.js';

const BIN = join(PROJECT_ROOT, 'bin', 'run.js');
const TESTDATA = '/work/shared/reference/cornflow-testdata';
const NEW_INSTANCE_FILE = `${TESTDATA}/new_instance.json`;
const NEW_INSTANCE = JSON.parse(readFileSync(NEW_INSTANCE_FILE, 'utf8')) as { name: string; data: unknown; schema: string };
const NEW_INSTANCE_HASH = '4e1ad86aa70efc6e588744aa4b2300cb9aea516b6bea9355bd00c50dac1ee6a2';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CORNFLOW_|XDG_CONFIG_HOME)/.test(k)));

function cornflow(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...CLEAN_ENV, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function expectOk(r: Run): void {
  expect(r.code, `exit code; stderr: ${r.stderr}`).to.equal(0);
}

/** One line on stderr, `Error: …`, and the exit code. */
function expectFailure(r: Run, code: number, pattern: RegExp): void {
  expect(r.code, `stdout: ${r.stdout} stderr: ${r.stderr}`).to.equal(code);
  expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
  expect(r.stderr).to.match(/^Error: /);
  expect(r.stderr).to.match(pattern);
}

let built = false;
before(function () {
  this.timeout(300_000);
  if (built) return;
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  built = true;
});

forEachDatabase('cornflow client commands', (t) => {
  let server: Server;
  let url: string;
  let home: string;
  let env: Record<string, string>;
  let planner: TestUser;
  let viewer: TestUser;
  let runtime: LocalRuntime | undefined;
  const count = async (): Promise<number> => Number((await t.knex('instances').count({ n: '*' }))[0]!.n);

  before(async function () {
    this.timeout(60_000);
    server = await new Promise<Server>((resolve) => {
      const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    home = mkdtempSync(join(tmpdir(), 'cornflow-client-'));
    env = { XDG_CONFIG_HOME: join(home, 'config'), HOME: home };
    planner = await t.user('planner');
    viewer = await t.user('viewer');
    runtime = new LocalRuntime(t.knex, { local: { workers: 1, runner: true } }, pino({ level: 'silent' }), { pollMs: 200 });
    await runtime.start(t.deps.orchestrator);
  });
  after(async () => {
    await runtime?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(home, { recursive: true, force: true });
  });

  it('has help for login and the instances topic', async () => {
    for (const args of [['login', '--help'], ['instances', '--help'], ['instances', 'create', '--help']]) {
      const r = await cornflow(args, env);
      expectOk(r);
      expect(r.stdout, args.join(' ')).to.include('USAGE');
    }
  });

  it('asks for a login before anything else', async () => {
    expectFailure(await cornflow(['instances', 'list'], env), 2, /run cornflow login/);
  });

  it('login with wrong credentials: exit 3, nothing stored', async () => {
    const r = await cornflow(['login', url, '-u', planner.username, '-p', 'wrong'], env);
    expectFailure(r, 3, /Invalid credentials/);
    expect(() => statSync(join(home, 'config', 'cornflow', 'credentials.json'))).to.throw();
  });

  it('login stores the URL and the token under XDG_CONFIG_HOME, readable by the user only', async () => {
    const r = await cornflow(['login', `${url}/`, '-u', planner.username, '-p', planner.password], env);
    expectOk(r);
    expect(r.stdout).to.include(`logged in to ${url} as ${planner.username}`);
    const file = join(home, 'config', 'cornflow', 'credentials.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
    expect(stored.url).to.equal(url);
    expect(stored.token).to.be.a('string').and.not.equal('');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('instances create FILE (a whole request body), then list and get it', async () => {
    const before = await count();
    const created = await cornflow(['instances', 'create', NEW_INSTANCE_FILE, '--json'], env);
    expectOk(created);
    const body = JSON.parse(created.stdout) as { id: string; name: string; data_hash: string };
    expect(body.name).to.equal(NEW_INSTANCE.name);
    expect(body.data_hash).to.equal(NEW_INSTANCE_HASH);
    expect(await count()).to.equal(before + 1);

    const list = await cornflow(['instances', 'list'], env);
    expectOk(list);
    expect(list.stdout.split('\n')[0]).to.match(/^ID\s+CREATED\s+SCHEMA\s+USER\s+NAME$/);
    expect(list.stdout).to.include(body.id);

    const json = await cornflow(['instances', 'list', '--json', '--limit', '50'], env);
    expectOk(json);
    const rows = JSON.parse(json.stdout) as { id: string; user_id: number }[];
    expect(rows.map((r) => r.id)).to.include(body.id);
    expect(rows.every((r) => r.user_id === planner.id)).to.equal(true);

    const got = await cornflow(['instances', 'get', body.id], env);
    expectOk(got);
    expect(got.stdout).to.match(new RegExp(`^id:\\s+${body.id}$`, 'm'));
    expect(got.stdout).to.include('no executions');
  });

  it('instances create FILE with the data alone sends it exactly as written (same hash), named after the file', async () => {
    const file = join(home, 'my_model.json');
    writeFileSync(file, JSON.stringify(NEW_INSTANCE.data, null, 1));
    const r = await cornflow(['instances', 'create', file, '--json', '--schema', 'solve_model_dag', '-d', 'from the CLI'], env);
    expectOk(r);
    const body = JSON.parse(r.stdout) as { name: string; description: string; data_hash: string; schema: string };
    expect(body).to.include({ name: 'my_model', description: 'from the CLI', schema: 'solve_model_dag', data_hash: NEW_INSTANCE_HASH });
  });

  it('bad input: unreadable file → exit 2; invalid data → exit 4 with the server error; nothing written', async () => {
    const before = await count();
    expectFailure(await cornflow(['instances', 'create', join(home, 'missing.json')], env), 2, /cannot read .*missing\.json/);
    const broken = join(home, 'broken.json');
    writeFileSync(broken, '{"objective": ');
    expectFailure(await cornflow(['instances', 'create', broken], env), 2, /cannot read .*broken\.json/);
    const invalid = join(home, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ objective: 'nope' }));
    expectFailure(await cornflow(['instances', 'create', invalid], env), 4, /The data sent is not valid.*POST \/instance\/ → 400/);
    expect(await count()).to.equal(before);
  });

  it('an unknown instance → exit 4 with the 404 message', async () => {
    expectFailure(await cornflow(['instances', 'get', 'f'.repeat(40)], env), 4, /→ 404/);
  });

  it('permission: a viewer cannot create (exit 4, 403), nothing written', async () => {
    const before = await count();
    const r = await cornflow(['instances', 'create', NEW_INSTANCE_FILE, '--token', viewer.token, '--url', url], env);
    expectFailure(r, 4, /You do not have permission.*→ 403/);
    expect(await count()).to.equal(before);
  });

  it('a bad token → exit 3 with the server message', async () => {
    const r = await cornflow(['instances', 'list', '--token', 'not-a-token'], env);
    expectFailure(r, 3, /Invalid token format or signature.*run cornflow login/);
  });

  it('an unreachable server → exit 1, one line', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = t.app.listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const r = await cornflow(['instances', 'list', '--url', `http://127.0.0.1:${closed}`], env);
    expectFailure(r, 1, new RegExp(`cannot reach the cornflow server at http://127\\.0\\.0\\.1:${closed}: ECONNREFUSED`));
  });

  it('a malformed URL → exit 2', async () => {
    expectFailure(await cornflow(['login', 'not a url', '-u', 'a', '-p', 'b'], env), 2, /not a URL/);
  });
  describe('executions', () => {
    let instanceId: string;
    let configFile: string;
    const executions = async (): Promise<number> => Number((await t.knex('executions').count({ n: '*' }))[0]!.n);
    const writeJson = (name: string, body: unknown): string => {
      const file = join(home, name);
      writeFileSync(file, JSON.stringify(body));
      return file;
    };

    before(async () => {
      const created = await cornflow(['instances', 'create', NEW_INSTANCE_FILE, '--json', '--url', url, '--token', planner.token], env);
      expectOk(created);
      instanceId = (JSON.parse(created.stdout) as { id: string }).id;
      configFile = writeJson('config.json', { solver: 'PULP_CBC_CMD', timeLimit: 10, msg: true });
    });

    it('create --wait solves on the local backend (exit 0); get, data and log print it', async function () {
      this.timeout(90_000);
      const r = await cornflow(['executions', 'create', instanceId, '--config', configFile, '--wait', '--interval', '1', '--timeout', '60', '-n', 'cli run', '--url', url, '--token', planner.token], env);
      expectOk(r);
      const id = /created execution ([0-9a-f]+)/.exec(r.stdout)?.[1];
      expect(id, r.stdout).to.be.a('string');
      expect(r.stdout).to.include(`execution ${id} solved`);
      expect((await t.knex('executions').first('state').where({ id })).state).to.equal(1);

      const got = await cornflow(['executions', 'get', id!, '--url', url, '--token', planner.token], env);
      expectOk(got);
      expect(got.stdout).to.match(new RegExp(`^id:\\s+${id}$`, 'm'));
      expect(got.stdout).to.match(/^state:\s+1 solved/m);
      expect(got.stdout).to.match(/^name:\s+cli run$/m);

      const json = await cornflow(['executions', 'get', id!, '--json', '--url', url, '--token', planner.token], env);
      expectOk(json);
      expect(JSON.parse(json.stdout)).to.include({ id, instance_id: instanceId, state: 1, name: 'cli run' });

      const data = await cornflow(['executions', 'data', id!, '--url', url, '--token', planner.token], env);
      expectOk(data);
      const body = JSON.parse(data.stdout) as { id: string; state: number; data: { variables: { varValue: unknown }[] } };
      expect(body).to.include({ id, state: 1 });
      expect(body.data.variables.every((x) => typeof x.varValue === 'number')).to.equal(true);

      const log = await cornflow(['executions', 'log', id!, '--url', url, '--token', planner.token], env);
      expectOk(log);
      expect(log.stdout.trim()).to.not.equal('');
      const logJson = await cornflow(['executions', 'log', id!, '--json', '--url', url, '--token', planner.token], env);
      expectOk(logJson);
      expect((JSON.parse(logJson.stdout) as { log: { status: string } }).log.status).to.equal('Optimal');
    });

    it('create --no-run leaves it in state -4; --json prints the created execution', async () => {
      const r = await cornflow(['executions', 'create', instanceId, '-c', configFile, '--no-run', '--json', '--url', url, '--token', planner.token], env);
      expectOk(r);
      expect(JSON.parse(r.stdout)).to.include({ instance_id: instanceId, state: -4, name: instanceId });
    });

    it('stop ends a long run (state -2); create --wait then reports it with exit 4', async function () {
      this.timeout(90_000);
      const hardFile = writeJson('hard.json', { name: 'hard', schema: 'solve_model_dag', data: hard() });
      const inst = await cornflow(['instances', 'create', hardFile, '--json', '--url', url, '--token', planner.token], env);
      expectOk(inst);
      const hardId = (JSON.parse(inst.stdout) as { id: string }).id;
      const longConfig = writeJson('long.json', { timeLimit: 600 });
      const waiting = cornflow(['executions', 'create', hardId, '-c', longConfig, '--wait', '--interval', '1', '--url', url, '--token', planner.token], env);
      let row: { id: string; state: number } | undefined;
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        row = await t.knex('executions').first('id', 'state').where({ instance_id: hardId });
        if (row?.state === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(row?.state).to.equal(0);
      const stop = await cornflow(['executions', 'stop', row!.id, '--url', url, '--token', planner.token], env);
      expectOk(stop);
      expect(stop.stdout.trim()).to.not.equal('');
      expect((await t.knex('executions').first('state').where({ id: row!.id })).state).to.equal(-2);
      expectFailure(await waiting, 4, new RegExp(`execution ${row!.id} ended: -2 stopped`));
    });

    it('errors: unknown execution → exit 4 (404); bad or missing config file → exit 2, nothing written', async () => {
      for (const cmd of ['get', 'data', 'log', 'stop']) {
        expectFailure(await cornflow(['executions', cmd, 'f'.repeat(40), '--url', url, '--token', planner.token], env), 4, /→ 404/);
      }
      const before = await executions();
      const broken = join(home, 'broken-config.json');
      writeFileSync(broken, '{"timeLimit": ');
      expectFailure(await cornflow(['executions', 'create', instanceId, '-c', broken, '--url', url, '--token', planner.token], env), 2, /cannot read .*broken-config\.json/);
      expectFailure(await cornflow(['executions', 'create', instanceId, '-c', join(home, 'nope.json'), '--url', url, '--token', planner.token], env), 2, /cannot read .*nope\.json/);
      expectFailure(await cornflow(['executions', 'create', 'f'.repeat(40), '-c', configFile, '--url', url, '--token', planner.token], env), 4, /POST \/execution\/ → 404/);
      expect(await executions()).to.equal(before);
    });

    it('permission: a viewer cannot create an execution (exit 4, 403), nothing written', async () => {
      const before = await executions();
      const r = await cornflow(['executions', 'create', instanceId, '-c', configFile, '--url', url, '--token', viewer.token], env);
      expectFailure(r, 4, /→ 403/);
      expect(await executions()).to.equal(before);
    });
  });
});
