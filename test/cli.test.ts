// The built `cornflow` CLI, run as a subprocess (node bin/run.js) against SQLite and PostgreSQL: output,
// exit code and the effect on the database.
import { expect } from 'chai';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { createTestDatabase, DATABASES, type TestDatabase } from './support/app.js';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/storage/db.js';
import { PROJECT_ROOT } from '../src/paths.js';

const BIN = join(PROJECT_ROOT, 'bin', 'run.js');
const work = mkdtempSync(join(tmpdir(), 'cornflow-cli-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables of the calling shell that would change what the commands do. */
const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|SECRET_|CORNFLOW_|OPEN_DEPLOYMENT|AIRFLOW_|DATABRICKS_|AUTH_TYPE|HOST|PORT)/.test(k)),
);

function cornflow(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: work, env: { ...CLEAN_ENV, CORNFLOW_LOG_SILENT: '1', CORNFLOW_DATA_DIR: work, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function expectOk(r: Run): void {
  expect(r.code, `exit code; stderr: ${r.stderr}`).to.equal(0);
}

let built = false;
/** Builds dist/ once (the bin runs the compiled commands). */
function build(this: Mocha.Context): void {
  this.timeout(300_000);
  if (built) return;
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  built = true;
}

process.on('exit', () => rmSync(work, { recursive: true, force: true }));

describe('cornflow CLI', function () {
  this.timeout(60_000);
  before(build);

  it('shows help for the CLI and every topic and command group', async () => {
    const root = await cornflow(['--help']);
    expectOk(root);
    const topics = ['service', 'migrations', 'users', 'roles', 'actions', 'views', 'permissions', 'config', 'dags'];
    for (const t of topics) expect(root.stdout).to.match(new RegExp(`^\\s+${t}\\s`, 'm'));
    for (const args of [...topics.map((t) => [t, '--help']), ['users', 'create', '--help'], ['service', 'init', '--help'], ['migrations', 'upgrade', '--help']]) {
      const r = await cornflow(args);
      expectOk(r);
      expect(r.stdout, args.join(' ')).to.include('USAGE');
    }
  });

  it('rejects an unknown command with a non-zero exit code', async () => {
    const r = await cornflow(['frobnicate']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('frobnicate');
  });

  it('reports an unreachable database as one line and exit code 1', async () => {
    const r = await cornflow(['migrations', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
    expect(r.code).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/^Error: cannot reach the database postgres:\/\/postgres@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  });

  it('reports a bad DATABASE_URL or a missing flag as bad usage (exit code 2)', async () => {
    const bad = await cornflow(['users', 'list'], { DATABASE_URL: 'mysql://x' });
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim()).to.equal('Error: Invalid configuration: DATABASE_URL must be a postgres:// or sqlite:/// URL, got "mysql://x"');
    const missing = await cornflow(['users', 'create', 'planner', '-u', 'x'], { DATABASE_URL: `sqlite:///${join(work, 'unused.db')}` });
    expect(missing.code).to.equal(2);
    expect(missing.stderr.trim()).to.equal('Error: missing --email, --password');
  });

  it('config list masks secrets; config get reads one variable; config save writes config.cfg', async () => {
    const env = { DATABASE_URL: 'postgres://cf:dbpass@db.example:5432/cf', SECRET_KEY: 'topsecretkey', CORNFLOW_ADMIN_PWD: 'Admin_secret1', OPEN_DEPLOYMENT: '0' };
    const list = await cornflow(['config', 'list'], env);
    expectOk(list);
    for (const secret of ['topsecretkey', 'dbpass', 'Admin_secret1']) expect(list.stdout).to.not.include(secret);
    expect(list.stdout).to.include('SECRET_KEY = ****\n');
    expect(list.stdout).to.include('CORNFLOW_ADMIN_PWD = ****\n');
    expect(list.stdout).to.include('DATABASE_URL = postgres://cf:****@db.example:5432/cf\n');
    expect(list.stdout).to.include('OPEN_DEPLOYMENT = 0\n');
    const json = await cornflow(['config', 'list', '--json'], env);
    expect(JSON.parse(json.stdout)).to.include({ SECRET_KEY: '****', OPEN_DEPLOYMENT: '0', AUTH_TYPE: '1' });
    const get = await cornflow(['config', 'get', 'open_deployment'], env);
    expect(get.stdout).to.equal('0\n');
    expect((await cornflow(['config', 'get', '-k', 'SECRET_KEY'], env)).stdout).to.equal('****\n');
    expect((await cornflow(['config', 'get', 'SECRET_KEY', '--reveal'], env)).stdout).to.equal('topsecretkey\n');
    const unknown = await cornflow(['config', 'get', 'NOPE'], env);
    expect(unknown.code).to.equal(2);
    const save = await cornflow(['config', 'save', '-p', `${work}/saved-`], env);
    expectOk(save);
    const ini = readFileSync(join(work, 'saved-config.cfg'), 'utf8');
    expect(ini.startsWith('[configuration]\n\n')).to.equal(true);
    expect(ini).to.include('SECRET_KEY = ****\n');
    expect(ini).to.not.include('topsecretkey');
  });

  it('dags register refuses clearly without a reachable orchestrator', async () => {
    const env = { DATABASE_URL: `sqlite:///${join(work, 'unused.db')}` };
    const local = await cornflow(['dags', 'register'], env);
    expect(local.code).to.equal(1);
    expect(local.stderr).to.match(/^Error: no orchestrator configured/);
    const airflow = await cornflow(['dags', 'register'], { ...env, CORNFLOW_BACKEND: '1', AIRFLOW_URL: 'http://127.0.0.1:1' });
    expect(airflow.code).to.equal(1);
    expect(airflow.stderr.trim()).to.equal('Error: could not read the apps deployed on Airflow: airflow is not reachable');
  });

  it('dags register inserts the new model DAGs of Airflow with their schemas (the Airflow 2 double)', async () => {
    const { AirflowDouble } = await import('./support/airflow.js');
    const double = new AirflowDouble().listen();
    await double.ready();
    double.addDag('new_app', { tags: ['model'], description: 'A new app' });
    double.addDag('new_app_check_kpis', { tags: ['check_kpis'] });
    double.addDag('pending_app', { tags: ['model'] });
    double.variables.set('new_app', JSON.stringify({ instance: { type: 'object' }, solution: {}, config: {}, instance_checks: {}, solution_checks: {}, kpis: {} }));
    const env = { DATABASE_URL: `sqlite:///${join(work, 'register.db')}`, CORNFLOW_BACKEND: '1', AIRFLOW_URL: double.url };
    expectOk(await cornflow(['migrations', 'upgrade'], env));
    const r = await cornflow(['dags', 'register'], env);
    expectOk(r);
    expect(r.stdout.trim()).to.equal('Registered 1 apps: new_app');
    expect(double.violations).to.deep.equal([]);
    const again = await cornflow(['dags', 'register'], env);
    expect(again.stdout.trim()).to.equal('No new apps to register');
    await double.close();
  });

  it('migrations make writes a skeleton and registers it in migrations/index.ts', async () => {
    const root = join(work, 'checkout');
    mkdirSync(join(root, 'migrations'), { recursive: true });
    for (const f of ['index.ts', '001_cornflow_schema.ts', '002_list_indexes.ts']) copyFileSync(join(PROJECT_ROOT, 'migrations', f), join(root, 'migrations', f));
    const r = await cornflow(['migrations', 'make', 'add_tags', '--root', root]);
    expectOk(r);
    expect(existsSync(join(root, 'migrations', '003_add_tags.ts'))).to.equal(true);
    const index = readFileSync(join(root, 'migrations', 'index.ts'), 'utf8');
    expect(index).to.include("import * as m003 from './003_add_tags.js';");
    expect(index).to.include("'003_add_tags': m003,");
    const bad = await cornflow(['migrations', 'make', 'Bad-Name', '--root', root]);
    expect(bad.code).to.equal(2);
  });
});

for (const kind of DATABASES) {
  describe(`cornflow CLI on a database [${kind}]`, function () {
    this.timeout(60_000);
    let database: TestDatabase;
    let db: Db;
    let env: Record<string, string>;
    const run = (...args: string[]) => cornflow(args, env);
    const count = async (table: string) => Number(((await db(table).count({ n: '*' })) as { n: number | string }[])[0]!.n);
    const rolesOf = async (username: string) =>
      (await db('user_role').join('users', 'users.id', 'user_role.user_id').where('users.username', username).orderBy('role_id').select('role_id')).map(
        (r: { role_id: number | string }) => Number(r.role_id),
      );

    before(build);
    before(async () => {
      database = await createTestDatabase(kind, join(work, `cli-${kind}.db`));
      env = { DATABASE_URL: database.url, SECRET_BI_KEY: 'bi-secret' };
      db = createDb(loadConfig({ DATABASE_URL: database.url }));
    });
    after(async () => {
      await db.destroy();
      await database.drop();
    });

    it('migrations status / upgrade / downgrade print each migration and change the schema', async () => {
      const before = await run('migrations', 'status');
      expectOk(before);
      expect(before.stdout).to.equal('pending  001_cornflow_schema\npending  002_list_indexes\n0 applied, 2 pending\n');
      const up = await run('migrations', 'upgrade');
      expectOk(up);
      expect(up.stdout).to.equal('applied 001_cornflow_schema\napplied 002_list_indexes\n2 migration(s) applied\n');
      expect(await db.schema.hasTable('users')).to.equal(true);
      const status = await run('migrations', 'status', '--json');
      expect(JSON.parse(status.stdout)).to.deep.equal({ applied: ['001_cornflow_schema', '002_list_indexes'], pending: [] });
      expect((await run('migrations', 'upgrade')).stdout).to.equal('database already up to date\n');
      const down = await run('migrations', 'downgrade');
      expectOk(down);
      expect(down.stdout).to.equal('reverted 002_list_indexes\n1 migration(s) reverted\n');
      expect(await db.schema.hasTable('users')).to.equal(true);
      expect((await run('migrations', 'downgrade')).stdout).to.equal('reverted 001_cornflow_schema\n1 migration(s) reverted\n');
      expect(await db.schema.hasTable('users')).to.equal(false);
      expect((await run('migrations', 'upgrade', '-r', 'nope')).code).to.equal(2);
      expectOk(await run('migrations', 'upgrade', '-r', '001_cornflow_schema'));
      expect(await db.schema.hasTable('users')).to.equal(true);
    });

    it('migrations status / upgrade / downgrade include the plugins\' migrations (reverted before the core\'s)', async () => {
      const withPlugin = (...args: string[]) => cornflow(args, { ...env, CORNFLOW_PLUGINS: join(PROJECT_ROOT, 'dist', 'plugins', 'example') });
      const before = await withPlugin('migrations', 'status');
      expectOk(before);
      expect(before.stdout).to.equal('applied  001_cornflow_schema\npending  002_list_indexes\n1 applied, 1 pending\nplugin example:\npending  example:001_example_notes\n0 applied, 1 pending\n');
      expect((await withPlugin('migrations', 'upgrade')).stdout).to.equal('applied 002_list_indexes\napplied example:001_example_notes\n2 migration(s) applied\n');
      expect(await db.schema.hasTable('example_notes')).to.equal(true);
      const json = JSON.parse((await withPlugin('migrations', 'status', '--json')).stdout);
      expect(json).to.deep.equal({ applied: ['001_cornflow_schema', '002_list_indexes'], pending: [], plugins: { example: { applied: ['001_example_notes'], pending: [] } } });
      // -1 reverts the plugin's migration, not the core's.
      const down = await withPlugin('migrations', 'downgrade');
      expect(down.stdout).to.equal('reverted example:001_example_notes\n1 migration(s) reverted\n');
      expect(await db.schema.hasTable('example_notes')).to.equal(false);
      expect(await db.schema.hasTable('users')).to.equal(true);
      // base reverts the plugin's first, then the core's; upgrade restores both.
      expectOk(await withPlugin('migrations', 'upgrade'));
      const base = await withPlugin('migrations', 'downgrade', '-r', 'base');
      expect(base.stdout).to.equal('reverted example:001_example_notes\nreverted 002_list_indexes\nreverted 001_cornflow_schema\n3 migration(s) reverted\n');
      expect(await db.schema.hasTable('users')).to.equal(false);
      expect((await withPlugin('migrations', 'downgrade', '-r', 'example:nope')).code).to.equal(2);
      expect((await withPlugin('migrations', 'upgrade')).stdout).to.equal('applied 001_cornflow_schema\napplied 002_list_indexes\napplied example:001_example_notes\n3 migration(s) applied\n');
      // A named plugin migration stays; everything after it goes.
      expect((await withPlugin('migrations', 'downgrade', '-r', 'example:001_example_notes')).stdout).to.equal('nothing to revert\n');
      expectOk(await withPlugin('migrations', 'downgrade'));
      // Without the plugin configured the core status is unchanged.
      expect((await run('migrations', 'status')).stdout).to.equal('applied  001_cornflow_schema\napplied  002_list_indexes\n2 applied, 0 pending\n');
    });

    it('the access commands include the configured plugins\' views and roles (as the server does at start-up)', async () => {
      const withPlugin = (...args: string[]) => cornflow(args, { ...env, CORNFLOW_PLUGINS: join(PROJECT_ROOT, 'dist', 'plugins', 'example') });
      expectOk(await withPlugin('migrations', 'upgrade'));
      const init = await withPlugin('permissions', 'init');
      expectOk(init);
      const views = (await db('api_view').select('name')).map((r: { name: string }) => r.name);
      expect(views).to.include.members(['example-notes', 'example-notes-detail']);
      expect(await db('roles').first('id').where({ id: 10 })).to.not.equal(undefined);
      expectOk(await withPlugin('views', 'init'));
      expectOk(await withPlugin('roles', 'init'));
      expectOk(await withPlugin('permissions', 'base'));
      expect((await db('api_view').select('name')).map((r: { name: string }) => r.name)).to.include.members(['example-notes', 'example-notes-detail']);
      // Without the plugin, views init brings the table back to the core's.
      expectOk(await run('views', 'init'));
      expect((await db('api_view').select('name')).map((r: { name: string }) => r.name)).to.not.include('example-notes');
      // Leave an empty core schema, as the next test expects.
      expectOk(await withPlugin('migrations', 'downgrade', '-r', 'base'));
      expectOk(await run('migrations', 'upgrade'));
    });

    it('actions, roles and views init, permissions base and init seed cornflow\'s 584 permissions', async () => {
      expect((await run('actions', 'init')).stdout).to.equal('actions: 5 added\n');
      expect((await run('roles', 'init')).stdout).to.equal('roles: 5 added\n');
      expect((await run('views', 'init')).stdout).to.equal('views: 54 added, 0 updated, 0 removed\n');
      expect(await count('api_view')).to.equal(54);
      expect((await run('permissions', 'base')).stdout).to.equal('permissions: 584 (584 added)\n');
      expect(await count('permission_view')).to.equal(584);
      const init = await run('permissions', 'init');
      expectOk(init);
      expect(init.stdout).to.equal('views: 54 (0 removed); permissions: 584 (0 added)\n');
      expect(await count('permission_view')).to.equal(584);
      expect(await count('roles')).to.equal(5);
      expect(await count('actions')).to.equal(5);
    });

    it('users create admin / planner, adds a role to an existing user, and lists users as JSON', async () => {
      const admin = await run('users', 'create', 'admin', '-u', 'boss', '-e', 'boss@example.com', '-p', 'Boss_password1');
      expectOk(admin);
      expect(admin.stdout).to.equal('created user boss with the admin role\n');
      expect(await rolesOf('boss')).to.deep.equal([3]);
      // The environment fallbacks of cornflow's initial admin.
      const fromEnv = await cornflow(['users', 'create', 'admin'], {
        ...env,
        CORNFLOW_ADMIN_USER: 'envadmin',
        CORNFLOW_ADMIN_EMAIL: 'envadmin@example.com',
        CORNFLOW_ADMIN_PWD: 'Env_admin_pwd1',
      });
      expectOk(fromEnv);
      expect(await rolesOf('envadmin')).to.deep.equal([3]);
      expectOk(await run('users', 'create', 'planner', '--username', 'plan', '--email', 'plan@example.com', '--password', 'Plan_password1'));
      const viewer = await run('users', 'create', 'viewer', '-u', 'plan', '-e', 'ignored@example.com', '-p', 'ignored');
      expectOk(viewer);
      expect(viewer.stdout).to.equal('user plan exists: viewer role assigned\n');
      expect(await rolesOf('plan')).to.deep.equal([1, 2]);
      const weak = await run('users', 'create', 'planner', '-u', 'weak', '-e', 'weak@example.com', '-p', 'short');
      expect(weak.code).to.equal(1);
      expect(weak.stderr.trim().split('\n')).to.have.length(1);
      const list = await run('users', 'list', '--json');
      expectOk(list);
      const users = JSON.parse(list.stdout) as { username: string; email: string; roles: string[] }[];
      expect(users.map((u) => [u.username, u.roles])).to.deep.equal([
        ['boss', ['admin']],
        ['envadmin', ['admin']],
        ['plan', ['viewer', 'planner']],
      ]);
      expect(users[2]!.email).to.equal('plan@example.com');
    });

    it('users create token prints a non-expiring BI token, for a service user who gives a password', async () => {
      expectOk(await run('users', 'create', 'service', '-u', 'svc', '-e', 'svc@example.com', '-p', 'Service_pass1'));
      const plan = await db('users').where({ username: 'plan' }).first();
      const r = await run('users', 'create', 'token', '-i', String(plan.id), '-u', 'svc', '-p', 'Service_pass1');
      expectOk(r);
      const claims = jwt.verify(r.stdout.trim(), 'bi-secret', { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(claims.sub).to.equal('plan');
      expect(claims.iss).to.equal('cornflow');
      expect(claims).to.have.property('iat');
      expect(claims).to.not.have.property('exp');
      for (const [user, pwd] of [['svc', 'wrong'], ['boss', 'Boss_password1'], ['ghost', 'x']]) {
        const denied = await run('users', 'create', 'token', '-i', String(plan.id), '-u', user!, '-p', pwd!);
        expect(denied.code).to.equal(1);
        expect(denied.stderr.trim()).to.equal('Error: The asking user has no permissions to generate tokens');
      }
      const missing = await run('users', 'create', 'token', '-i', '9999', '-u', 'svc', '-p', 'Service_pass1');
      expect(missing.stderr.trim()).to.equal('Error: User does not exist');
      const noKey = await cornflow(['users', 'create', 'token', '-i', String(plan.id), '-u', 'svc', '-p', 'Service_pass1'], { DATABASE_URL: database.url });
      expect(noKey.code).to.equal(1);
      expect(noKey.stderr).to.match(/SECRET_BI_KEY is not set/);
    });

    it('dags permissions grants every deployed app to every user with open deployment, to service users without', async () => {
      const now = '2024-01-01 00:00:00';
      await db('deployed_workflows').insert({ id: 'solver_a', description: 'a', created_at: now, updated_at: now });
      const closed = await run('dags', 'permissions', '--no-open-deployment');
      expectOk(closed);
      expect(await count('permission_dag')).to.equal(1); // only svc (a single missing pair is written too)
      const open = await cornflow(['dags', 'permissions'], { ...env, OPEN_DEPLOYMENT: '1' });
      expect(open.stdout).to.match(/^DAG permissions: 3 added \(4 users, 1 deployed apps, open deployment on\)/);
      expect(await count('permission_dag')).to.equal(4);
    });

    it('service setup and service init --no-serve are idempotent', async () => {
      const first = await run('service', 'setup');
      expectOk(first);
      expect(first.stdout).to.include('migrations: up to date\n');
      expect(first.stdout).to.include('initial users: cornflow_admin (admin), service_user (service)\n');
      const users = await count('users');
      for (const args of [['service', 'init', '--no-serve'], ['service', 'setup']]) {
        const again = await run(...args);
        expectOk(again);
        expect(again.stdout).to.include('access: 54 views, 584 permissions (0 added)\n');
      }
      expect(await count('users')).to.equal(users);
      expect(await count('permission_view')).to.equal(584);
      expect(await rolesOf('service_user')).to.deep.equal([4]);
    });

    it('service init serves until SIGTERM, then exits 0', async function () {
      const child = spawn(process.execPath, [BIN, 'service', 'init', '--host', '127.0.0.1', '--port', '0'], {
        cwd: work,
        env: { ...CLEAN_ENV, ...env, CORNFLOW_LOG_SILENT: '1', CORNFLOW_DATA_DIR: work },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setInterval(() => {
            const m = /listening on (http:\/\/\S+)/.exec(out);
            if (m) {
              clearInterval(timer);
              resolve(m[1]!);
            }
          }, 50);
          void exited.then(() => {
            clearInterval(timer);
            reject(new Error(`service init exited: ${out}`));
          });
        });
        const res = await fetch(`${url}/health/`);
        expect(res.status).to.equal(200);
        child.kill('SIGTERM');
        expect(await exited).to.equal(0);
        expect(out).to.include('SIGTERM received');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
}
