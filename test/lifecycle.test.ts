import { expect } from 'chai';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { createTestDatabase, testConfig, DATABASES } from './support/app.js';
import { prepare } from '../src/bootstrap.js';
import { createApp } from '../src/app.js';
import { loadConfig, ConfigError } from '../src/config.js';
import { startServer } from '../src/server.js';
import { MIGRATIONS_TABLE } from '../migrations/index.js';
import { spawnServer } from './support/server-process.js';

const silent = pino({ level: 'silent' });

async function tableNames(db: import('knex').Knex): Promise<string[]> {
  if (db.client.config.client === 'pg') {
    const r = await db.raw("select tablename from pg_tables where schemaname = 'public' order by tablename");
    return r.rows.map((x: { tablename: string }) => x.tablename);
  }
  const r = await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name");
  return r.map((x: { name: string }) => x.name);
}

for (const kind of DATABASES) {
  describe(`lifecycle [${kind}]`, function () {
    this.timeout(60_000);

    it('creates cornflow\'s tables, migrates twice without change, and migrates down and up', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cornflow-life-'));
      const database = await createTestDatabase(kind, join(dir, 'c.db'));
      const config = testConfig(database.url, { CORNFLOW_DATA_DIR: dir });
      const deps = await prepare(config, { logger: silent });
      try {
        const db = deps.db;
        const tables = (await tableNames(db)).filter((t) => !t.startsWith(MIGRATIONS_TABLE));
        expect(tables).to.have.members(['actions', 'alarms', 'api_view', 'cases', 'deployed_workflows', 'executions', 'instances', 'main_alarms', 'permission_dag', 'permission_view', 'roles', 'user_role', 'users']);
        const [, again] = (await db.migrate.latest()) as [number, string[]];
        expect(again).to.deep.equal([]);
        await db.migrate.rollback(undefined, true);
        expect((await tableNames(db)).filter((t) => !t.startsWith(MIGRATIONS_TABLE))).to.deep.equal([]);
        await db.migrate.latest();
        expect((await tableNames(db)).filter((t) => !t.startsWith(MIGRATIONS_TABLE))).to.have.length(13);
      } finally {
        await deps.db.destroy();
        await database.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps users, tokens and permissions across a restart, with a generated secret key', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cornflow-life-'));
      const database = await createTestDatabase(kind, join(dir, 'c.db'));
      // No SECRET_KEY: the server generates one and keeps it in the data directory.
      const config = { ...testConfig(database.url, { CORNFLOW_DATA_DIR: dir }), secretKey: undefined, dataDir: dir };
      let deps = await prepare(config, { logger: silent });
      let token: string;
      try {
        const app = createApp(deps);
        const res = await request(app).post('/login/').send({ username: 'cornflow_admin', password: 'Cornflow_admin1234' });
        expect(res.status).to.equal(200);
        token = res.body.token;
        expect(existsSync(join(dir, '.cornflow-secret'))).to.equal(true);
      } finally {
        await deps.db.destroy();
      }
      deps = await prepare(config, { logger: silent });
      try {
        const app = createApp(deps);
        const check = await request(app).get('/token/').set('Authorization', `Bearer ${token}`);
        expect(check.body).to.deep.equal({ valid: 1 });
        const admins = await deps.db('users').where({ username: 'cornflow_admin' });
        expect(admins).to.have.length(1);
        expect(Number((await deps.db('permission_view').count({ n: '*' }))[0]!.n)).to.equal(584);
      } finally {
        await deps.db.destroy();
        await database.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('configuration', () => {
  it('uses cornflow\'s defaults', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(5000);
    expect(c.host).to.equal('127.0.0.1');
    expect(c.database).to.deep.include({ client: 'better-sqlite3' });
    expect(c.authType).to.equal('db');
    expect(c.signupActivated).to.equal(2);
    expect(c.defaultRole).to.equal(2);
    expect(c.openDeployment).to.equal(true);
    expect(c.tokenDurationHours).to.equal(24);
    expect(c.backend).to.equal('local');
    expect(c.initialUsers.admin.username).to.equal('cornflow_admin');
  });

  it('reads sqlite:/// and postgres URLs, including SQLAlchemy driver names', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:///:memory:' }).database).to.deep.equal({ client: 'better-sqlite3', filename: ':memory:' });
    expect(loadConfig({ DATABASE_URL: 'postgresql+psycopg2://u:p@h:5432/db' }).database).to.deep.equal({ client: 'pg', connectionString: 'postgres://u:p@h:5432/db' });
  });

  const invalid: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /PORT/],
    [{ AUTH_TYPE: '4' }, /AUTH_TYPE/],
    [{ SIGNUP_ACTIVATED: '3' }, /SIGNUP_ACTIVATED/],
    [{ TOKEN_DURATION: '-1' }, /TOKEN_DURATION/],
    [{ OPEN_DEPLOYMENT: 'maybe' }, /OPEN_DEPLOYMENT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ LOG_LEVEL: '15' }, /LOG_LEVEL/],
    [{ CORNFLOW_BACKEND: '7' }, /CORNFLOW_BACKEND/],
    [{ CORNFLOW_MAX_BODY_SIZE: 'lots' }, /CORNFLOW_MAX_BODY_SIZE/],
  ];
  for (const [env, name] of invalid) {
    it(`stops with a message naming ${Object.keys(env)[0]}`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, name);
    });
  }

  it('turns alarms on only for a true value (cornflow also for "0")', () => {
    expect(loadConfig({ CF_ALARMS_ENDPOINT: '0' }).alarmsEnabled).to.equal(false);
    expect(loadConfig({ CF_ALARMS_ENDPOINT: '1' }).alarmsEnabled).to.equal(true);
  });
});

describe('server process', function () {
  this.timeout(60_000);

  it('starts, answers after its warm-up request, and closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cornflow-srv-'));
    const config = loadConfig({ DATABASE_URL: `sqlite:///${join(dir, 'cornflow.db')}`, PORT: '0', CORNFLOW_LOG_SILENT: '1', CORNFLOW_DATA_DIR: dir });
    const running = await startServer(config);
    try {
      const res = await fetch(`${running.url}/health/`);
      expect(res.status).to.equal(200);
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs as the README\'s serve command does: logs in the initial admin, exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cornflow-proc-'));
    const port = 20000 + Math.floor(Math.random() * 10000);
    const server = spawnServer(dir, { ...process.env, PORT: String(port), DATABASE_URL: '', SECRET_KEY: '', CORNFLOW_LOG_SILENT: '1' });
    const { child, exited } = server;
    try {
      await server.listening(45_000);
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/login/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
        body: JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }),
      });
      expect(login.status).to.equal(200);
      const { token } = (await login.json()) as { token: string };
      const check = await fetch(`${base}/token/`, { headers: { authorization: `Bearer ${token}` } });
      expect(await check.json()).to.deep.equal({ valid: 1 });
      const redirect = await fetch(`${base}/health`, { redirect: 'manual' });
      expect(redirect.status).to.equal(308);
      expect(existsSync(join(dir, 'cornflow.db'))).to.equal(true);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
