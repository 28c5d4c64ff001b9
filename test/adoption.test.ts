// Adopting a database the Flask cornflow created and filled (test/support/legacy-db.ts): recognised, baseline
// recorded without touching the data, served with the same users, passwords, tokens, ids, data and hashes.
// Executions and cases of the fixture (legacy.executions / legacy.cases) are read back in the instances test
// (GET /execution/{id}/ and /data/, GET /case/ and /case/{id}/data/).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { pino } from 'pino';
import { contract, createTestDatabase, DATABASES, testConfig, TEST_SECRET, type TestDatabase } from './support/app.js';
import { buildLegacyDatabase, type LegacyFixture } from './support/legacy-db.js';
import { prepare } from '../src/bootstrap.js';
import { createApp } from '../src/app.js';
import { createDb, migrationNames, type Db } from '../src/storage/db.js';
import { adoptCornflowDatabase, AdoptionRefused, inspectDatabase } from '../src/storage/adoption.js';
import type { AppDeps } from '../src/api/context.js';
import { MIGRATIONS_TABLE } from '../migrations/index.js';

/** A token exactly as Flask cornflow signs it: PyJWT's header order, compact JSON, claims exp/iat/sub/iss. */
function flaskToken(username: string, secret: string): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = b64('{"alg":"HS256","typ":"JWT"}');
  const payload = b64(`{"exp":${now + 3600},"iat":${now},"sub":"${username}","iss":"cornflow"}`);
  const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

// Flask cornflow deployed with OPEN_DEPLOYMENT=0 (the fixture's DAG permissions are not all-to-all).
const ENV = { OPEN_DEPLOYMENT: '0' };
const work = mkdtempSync(join(tmpdir(), 'cornflow-adopt-'));
after(() => rmSync(work, { recursive: true, force: true }));

for (const kind of DATABASES) {
  describe(`adopting a Flask cornflow database [${kind}]`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let legacy: LegacyFixture;
    let raw: Db;
    let deps: AppDeps;
    let app: Express;
    let snapshot: Record<string, unknown[]>;
    const tables = ['users', 'user_role', 'instances', 'executions', 'cases', 'permission_dag', 'deployed_workflows', 'alarms', 'main_alarms', 'alembic_version'];
    const dump = async (db: Db) => {
      const out: Record<string, unknown[]> = {};
      for (const tb of tables) out[tb] = await db(tb).select('*').orderBy(tb === 'alembic_version' ? 'version_num' : 'id');
      return out;
    };
    const call = async (method: 'get' | 'post' | 'put' | 'delete', url: string, token?: string, body?: object) => {
      let req = request(app)[method](url);
      if (token) req = req.set('Authorization', `Bearer ${token}`);
      const res = body ? await req.send(body) : await req;
      contract.check(method, url, res);
      return res;
    };
    const login = async (username: string, password: string) => {
      const res = await call('post', '/login/', undefined, { username, password });
      expect(res.status, `${username}: ${res.text}`).to.equal(200);
      return res.body.token as string;
    };

    before(async () => {
      database = await createTestDatabase(kind, join(work, `legacy-${kind}.db`));
      raw = createDb(testConfig(database.url));
      legacy = await buildLegacyDatabase(raw);
      snapshot = await dump(raw);
    });
    after(async () => {
      await deps?.db.destroy();
      await raw?.destroy();
      await database?.drop();
    });

    it('migrations check: a cornflow database at head, not adopted, baseline to record, nothing else', async () => {
      const state = await inspectDatabase(raw, await migrationNames());
      expect(state).to.deep.include({ cornflow: true, alembicRevision: '4729cd156460', adopted: false, managed: false, recordBaseline: true, refusal: null });
      expect(state.pending).to.deep.equal((await migrationNames()).filter((n) => n !== '001_cornflow_schema'));
      expect(await raw.schema.hasTable(MIGRATIONS_TABLE)).to.equal(false);
    });

    it('refuses another Alembic revision without changing anything', async () => {
      await raw('alembic_version').update({ version_num: 'cef1df240b27' });
      try {
        const state = await inspectDatabase(raw, await migrationNames());
        expect(state.refusal).to.match(/Alembic revision cef1df240b27.*4729cd156460/);
        let err: unknown;
        await adoptCornflowDatabase(raw, await migrationNames()).catch((e) => (err = e));
        expect(err).to.be.instanceOf(AdoptionRefused);
        expect(await raw.schema.hasTable(MIGRATIONS_TABLE)).to.equal(false);
      } finally {
        await raw('alembic_version').update({ version_num: '4729cd156460' });
      }
    });

    it('starts on it: records the baseline and leaves every cornflow row as it was', async () => {
      deps = await prepare(testConfig(database.url, ENV), { logger: pino({ level: 'silent' }) });
      app = createApp(deps);
      const applied = (await raw(MIGRATIONS_TABLE).select('name')).map((r: { name: string }) => r.name);
      expect(applied).to.deep.equal(await migrationNames());
      const state = await inspectDatabase(raw, await migrationNames());
      expect(state).to.deep.include({ cornflow: true, adopted: true, recordBaseline: false, pending: [], refusal: null });
      const after = await dump(raw);
      for (const tb of tables) expect(after[tb], tb).to.deep.equal(snapshot[tb]);
      // The external app's view (served by Flask only) and its permissions are kept.
      expect(await raw('api_view').where({ name: 'my-report' }).first()).to.not.equal(undefined);
      // A second start changes nothing.
      const again = await prepare(testConfig(database.url, ENV), { logger: pino({ level: 'silent' }) });
      await again.db.destroy();
      expect((await raw(MIGRATIONS_TABLE).count({ n: '*' }))[0]!.n).to.satisfy((n: unknown) => Number(n) === applied.length);
    });

    it('every pre-existing user logs in with their password', async () => {
      for (const u of legacy.users) {
        const res = await call('post', '/login/', undefined, { username: u.username, password: u.password });
        expect(res.status, u.username).to.equal(200);
        expect(res.body.id).to.equal(u.id);
      }
      expect((await call('post', '/login/', undefined, { username: 'planner_ana', password: 'wrong' })).status).to.equal(400);
    });

    it('accepts a token signed by the Flask server with the same SECRET_KEY, refuses another key', async () => {
      const ok = await call('get', '/instance/', flaskToken('planner_ana', TEST_SECRET));
      expect(ok.status).to.equal(200);
      expect((await call('get', '/instance/', flaskToken('planner_ana', 'other-key'))).status).to.equal(400);
    });

    it('reads back every instance with the same id, data, hash and owner; ownership holds', async () => {
      const ana = await login('planner_ana', 'Ana_planner_2024!');
      const mine = legacy.instances.filter((i) => i.user_id === 3);
      const list = await call('get', '/instance/', ana);
      expect(list.body.map((i: { id: string }) => i.id).sort()).to.deep.equal(mine.map((i) => i.id).sort());
      for (const inst of mine) {
        const one = await call('get', `/instance/${inst.id}/`, ana);
        expect(one.status).to.equal(200);
        expect(one.body).to.deep.include({ id: inst.id, user_id: 3, name: inst.name, data_hash: inst.data_hash, schema: inst.schema });
        expect(one.body.created_at).to.equal(inst.created_at.replace(' ', 'T'));
        const data = await call('get', `/instance/${inst.id}/data/`, ana);
        expect(data.body.data).to.deep.equal(inst.data);
        expect(data.body.data_hash).to.equal(inst.data_hash);
      }
      // The text is served as stored: 1.0 stays 1.0.
      const first = await call('get', `/instance/${legacy.instances[0]!.id}/data/`, ana);
      expect(first.text).to.include('1.0, 2.5, 1e-07');
      const bo = await login('viewer_bo', 'Bo_viewer_2024!');
      expect((await call('get', `/instance/${mine[0]!.id}/`, bo)).status).to.equal(404);
      const admin = await login('cornflow_admin', 'Cornflow_admin1234');
      expect((await call('get', '/instance/', admin, undefined)).body).to.have.length(legacy.instances.length);
      // Executions: same ids, owners, states, configs, solutions and hashes.
      expect(legacy.executions.map((e) => e.state).sort()).to.deep.equal([-1, 0, 1, 2]);
      for (const ex of legacy.executions) {
        const one = await call('get', `/execution/${ex.id}/`, admin);
        expect(one.status, ex.id).to.equal(200);
        expect(one.body).to.deep.include({ id: ex.id, instance_id: ex.instance_id, user_id: ex.user_id, state: ex.state, data_hash: ex.data_hash, name: ex.name });
        expect(one.body.config).to.deep.equal(ex.config);
        const data = await call('get', `/execution/${ex.id}/data/`, admin);
        expect(data.status, ex.id).to.equal(200);
        expect(data.body).to.deep.include({ id: ex.id, state: ex.state, data_hash: ex.data_hash });
        expect(data.body.data).to.deep.equal(ex.data);
      }
      const anaExecutions = legacy.executions.filter((e) => e.user_id === 3);
      expect((await call('get', `/execution/${anaExecutions[0]!.id}/`, ana)).status).to.equal(200);
      expect((await call('get', `/execution/${anaExecutions[0]!.id}/`, bo)).status).to.equal(404);
      // Cases: the same tree (ids, paths), data, solutions and hashes.
      expect(legacy.cases).to.have.length(4);
      const cases = await call('get', '/case/', ana);
      expect(cases.status).to.equal(200);
      expect(cases.body.map((c: { id: number }) => c.id).sort()).to.deep.equal(legacy.cases.map((c) => c.id).sort());
      for (const cs of legacy.cases) {
        const listed = cases.body.find((c: { id: number }) => c.id === cs.id);
        expect(listed).to.deep.include({ id: cs.id, path: cs.path, name: cs.name, user_id: 3, data_hash: cs.data_hash, solution_hash: cs.solution_hash, is_dir: cs.data === null });
        const data = await call('get', `/case/${cs.id}/data/`, ana);
        expect(data.status, String(cs.id)).to.equal(200);
        expect(data.body).to.deep.include({ id: cs.id, path: cs.path, data_hash: cs.data_hash, solution_hash: cs.solution_hash });
        expect(data.body.data).to.deep.equal(cs.data);
        expect(data.body.solution).to.deep.equal(cs.solution);
      }
      expect((await call('get', '/case/', bo)).body).to.deep.equal([]);
    });

    it('users, roles, permissions and DAG permissions hold', async () => {
      const admin = await login('cornflow_admin', 'Cornflow_admin1234');
      const users = await call('get', '/user/', admin);
      for (const u of legacy.users) {
        const found = users.body.find((x: { id: number }) => x.id === u.id);
        expect(found, u.username).to.deep.include({ username: u.username, email: u.email });
      }
      const cy = await call('get', '/user/5/', admin);
      expect(cy.status).to.equal(200);
      const bo = await login('viewer_bo', 'Bo_viewer_2024!');
      // A viewer cannot write (permission_view from the Flask server).
      expect((await call('post', '/instance/', bo, { name: 'x', data: { seconds: 1 }, schema: 'timer' })).status).to.equal(403);
      // DAG permission: Ana may use solve_model_dag; the viewer's grant is only timer (shown by the deployed list as admin).
      const ana = await login('planner_ana', 'Ana_planner_2024!');
      const created = await call('post', '/instance/', ana, { name: 'new from cornflow-ts', data: { parameters: {} }, schema: 'solve_model_dag' });
      expect(created.status, created.text).to.equal(201);
      const grants = await raw('permission_dag').where({ user_id: 4 }).select('dag_id');
      expect(grants.map((g: { dag_id: string }) => g.dag_id)).to.deep.equal(['timer']);
    });

    it('objects written by cornflow-ts sit in the same schema, readable as cornflow writes them', async () => {
      const ana = await login('planner_ana', 'Ana_planner_2024!');
      const res = await call('post', '/instance/', ana, { name: 'coexists', data: { parameters: { n: 1.0 } }, schema: 'solve_model_dag' });
      expect(res.status, res.text).to.equal(201);
      const row = await raw('instances').where({ id: res.body.id }).first();
      expect(row.id).to.match(/^[0-9a-f]{40}$/);
      expect(Number(row.user_id)).to.equal(3);
      expect(String(row.created_at)).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/);
      expect(JSON.parse(String(row.data))).to.deep.equal({ parameters: { n: 1 } });
      // New users get ids after the Flask server's (sequences in step).
      const admin = await login('cornflow_admin', 'Cornflow_admin1234');
      const signup = await call('post', '/signup/', admin, { username: 'newbie', email: 'newbie@example.com', password: 'Newbie_pass_2024!' });
      expect(signup.status, signup.text).to.equal(201);
      expect(signup.body.id).to.equal(legacy.users.length + 1);
    });
  });
}

// Our baseline (migrations/001_cornflow_schema.ts) against cornflow's DDL on PostgreSQL: same columns, types,
// nullability and defaults; the constraint names differ only where docs/compatibility.md says so.
if (DATABASES.includes('postgres')) {
  describe('001_cornflow_schema against cornflow\'s Alembic head [postgres]', function () {
    this.timeout(60_000);
    it('has the same columns and constraints, but for the recorded differences', async () => {
      const [a, b] = [await createTestDatabase('postgres'), await createTestDatabase('postgres')];
      const [cf, ts] = [createDb(testConfig(a.url)), createDb(testConfig(b.url))];
      try {
        await buildLegacyDatabase(cf);
        const { migrateLatest } = await import('../src/storage/db.js');
        await migrateLatest(ts);
        const skip = (c: string) => /alembic_version|cornflow_ts_migrations/.test(c);
        const sets = async (db: Db, sql: string) => new Set(((await db.raw(sql)).rows as { c: string }[]).map((r) => r.c).filter((c) => !skip(c)));
        const diff = async (sql: string) => {
          const [x, y] = [await sets(cf, sql), await sets(ts, sql)];
          return { cornflowOnly: [...x].filter((v) => !y.has(v)).sort(), oursOnly: [...y].filter((v) => !x.has(v)).sort() };
        };
        const columns = await diff(
          `select table_name||'.'||column_name||' '||data_type||coalesce('('||character_maximum_length||')','')||' '||is_nullable||' '||coalesce(column_default,'') as c from information_schema.columns where table_schema='public'`,
        );
        // cornflow's actions.id is SERIAL (ids are always given explicitly, 1-5).
        expect(columns).to.deep.equal({ cornflowOnly: ["actions.id integer NO nextval('actions_id_seq'::regclass)"], oursOnly: ['actions.id integer NO '] });
        const constraints = await diff(`select conrelid::regclass||' '||conname||' '||contype::text as c from pg_constraint where connamespace='public'::regnamespace`);
        // Foreign keys: PostgreSQL's <table>_<column>_fkey under cornflow, knex's <table>_<column>_foreign here.
        expect(constraints.cornflowOnly.map((c) => c.replace(/_fkey f$/, ''))).to.deep.equal(constraints.oursOnly.map((c) => c.replace(/_foreign f$/, '')));
        expect(constraints.cornflowOnly.every((c) => c.endsWith('_fkey f'))).to.equal(true);
        // Our own indexes (migrations/002_list_indexes.ts) are added on top of cornflow's.
        const indexes = await diff(`select indexname as c from pg_indexes where schemaname='public' and indexname not like 'ix_cornflow_ts_%'`);
        expect(indexes).to.deep.equal({ cornflowOnly: [], oursOnly: [] });
      } finally {
        await cf.destroy();
        await ts.destroy();
        await a.drop();
        await b.drop();
      }
    });
  });
}
