// The CLI's client commands (cornflow login, instances list | create | get), run as subprocesses of the built bin
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
  });
  after(async () => {
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
});
