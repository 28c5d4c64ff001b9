// Database outage (issue #11): the real HTTP server (startServer, as `npm start` runs it) on a private PostgreSQL
// cluster that the test starts on a loopback port, under a write load of concurrent clients creating instances
// and cases. The cluster is restarted twice: a clean fast shutdown and an immediate one (a crash, with recovery
// at the next start). While it is down every request answers quickly with the contract's 503 JSON error (never a
// 500, never a hang) and /health/ reports cornflow unhealthy; once it is back the same server serves again by
// itself, every acknowledged write is there with the data sent (through the API and in the tables), and a write
// that got an error left nothing half-written. Also: a frozen cluster (SIGSTOP) answers 503 within the
// CORNFLOW_DB_QUERY_TIMEOUT / CORNFLOW_DB_CONNECT_TIMEOUT deadlines, and the other database failures pg reports
// (statement_timeout, an unknown host) are 503s too.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { errorHandler } from '../src/api/errors.js';
import { startServer, type RunningServer } from '../src/server.js';
import { contract, testConfig } from './support/app.js';
import { PgCluster, PG_BIN, pgBinariesPresent, type StopMode } from './support/pg-cluster.js';

const CLIENTS = 6;
/** Hang guard: no request may take longer than this, outage or not. */
const REQUEST_BOUND_MS = 10_000;
/** How long the cluster stays down. */
const DOWN_MS = 3_000;
/** After the cluster is back, the server must serve writes again within this. */
const RECOVERY_BOUND_MS = 15_000;
const UNAVAILABLE = { error: 'The database is not available, please try again later' };

/** A small PuLP-JSON model (solve_model_dag's instance schema), different for every write. */
function model(tag: string, n: number) {
  return {
    parameters: { name: tag, sense: 1, status: 0, sol_status: 0 },
    sos1: [],
    sos2: [],
    objective: { name: 'obj', coefficients: [{ name: 'x', value: 1 }, { name: 'y', value: 2 }] },
    constraints: [{ name: 'c1', sense: 1, pi: null, constant: -(n + 1), coefficients: [{ name: 'x', value: 1 }, { name: 'y', value: 1 }] }],
    variables: [
      { name: 'x', lowBound: 0, upBound: null, cat: 'Continuous', varValue: null, dj: null },
      { name: 'y', lowBound: 0, upBound: null, cat: 'Continuous', varValue: null, dj: null },
    ],
  };
}

/** A JSON column as pg returns it (parsed for json columns, text otherwise). */
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

interface Outcome {
  kind: 'instance' | 'case';
  name: string;
  data: ReturnType<typeof model>;
  started: number;
  ms: number;
  /** HTTP status, or 0 when the request failed without a response (or hit the hang guard). */
  status: number;
  body: unknown;
  failure?: string;
}

interface Call {
  status: number;
  body: unknown;
  ms: number;
  failure?: string;
}

describe('database outage [private PostgreSQL cluster]', function () {
  this.timeout(120_000);
  let cluster: PgCluster | undefined;
  let running: RunningServer | undefined;
  let db: Knex | undefined;
  let dataDir: string | undefined;
  let token = '';

  /** One request to the running server, checked against the contract, bounded by the hang guard. */
  async function call(method: string, path: string, body?: unknown, base = running!.url): Promise<Call> {
    const started = Date.now();
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_BOUND_MS),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // left as text: the checks below fail on it
      }
      const ms = Date.now() - started;
      contract.check(method, path, { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) });
      return { status: res.status, body: parsed, ms };
    } catch (err) {
      return { status: 0, body: undefined, ms: Date.now() - started, failure: err instanceof Error ? err.message : String(err) };
    }
  }

  before(async function () {
    if (!pgBinariesPresent()) {
      console.log(`      skipped: no PostgreSQL server binaries (initdb, pg_ctl, postgres) in ${PG_BIN} (set PG_BIN)`);
      this.skip();
    }
    this.timeout(90_000);
    cluster = await PgCluster.create();
    const admin = knex({ client: 'pg', connection: cluster.url(), pool: { min: 0, max: 1 } });
    try {
      await admin.raw('CREATE DATABASE cornflow');
    } finally {
      await admin.destroy();
    }
    dataDir = mkdtempSync(join(tmpdir(), 'cornflow-outage-'));
    // The server as production starts it: migrations and seeding at start, real HTTP on a loopback port.
    running = await startServer(testConfig(cluster.url('cornflow'), { PORT: '0', CORNFLOW_DATA_DIR: dataDir }));
    // The test's own view of the tables (its connections also die with the restarts: keep knex quiet about it).
    const quiet = () => undefined;
    db = knex({ client: 'pg', connection: cluster.url('cornflow'), pool: { min: 0, max: 2 }, log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet } });
    const user = { username: 'outage_planner', email: 'outage_planner@example.com', password: 'Outage_planner1' };
    const signup = await fetch(`${running.url}/signup/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(user) });
    expect(signup.status, await signup.text()).to.equal(201);
    const login = await fetch(`${running.url}/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    expect(login.status).to.equal(200);
    token = ((await login.json()) as { token: string }).token;
  });

  after(async function () {
    this.timeout(60_000);
    await running?.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a frozen database (SIGSTOP): 503 within CORNFLOW_DB_QUERY_TIMEOUT instead of a hang, serves again once it answers', async () => {
    // A second server on the same database, with the query and connect deadlines set (the query one is off by
    // default); the first one's token works here too (same SECRET_KEY).
    const frozenServer = await startServer(
      testConfig(cluster!.url('cornflow'), { PORT: '0', CORNFLOW_DATA_DIR: dataDir!, CORNFLOW_DB_QUERY_TIMEOUT: '2', CORNFLOW_DB_CONNECT_TIMEOUT: '2', CORNFLOW_LOCAL_RUNNER: '0' }),
    );
    const base = frozenServer.url;
    const bound = 8_000;
    try {
      // Idle connections in the pool: the requests below get them first, and their queries go unanswered.
      const warm = await Promise.all(Array.from({ length: 4 }, () => call('GET', '/instance/', undefined, base)));
      expect(warm.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
      cluster!.freeze();
      let answers: (Call & { name?: string; data?: ReturnType<typeof model> })[];
      try {
        answers = await Promise.all([
          ...Array.from({ length: 6 }, async (_, i) => {
            const name = `frozen-instance-${i}`;
            const data = model(name, i);
            return { name, data, ...(await call('POST', '/instance/', { name, schema: 'solve_model_dag', data }, base)) };
          }),
          call('GET', '/instance/', undefined, base),
          call('GET', '/health/', undefined, base),
        ]);
      } finally {
        cluster!.thaw();
      }
      const health = answers.pop()!;
      expect(health.status, JSON.stringify(health)).to.equal(200);
      expect(health.body).to.deep.include({ cornflow_status: 'unhealthy' });
      for (const a of answers) {
        expect(a.status, JSON.stringify(a)).to.equal(503);
        expect(a.body).to.deep.equal(UNAVAILABLE);
      }
      expect(Math.max(health.ms, ...answers.map((a) => a.ms)), 'slowest answer while frozen (ms)').to.be.below(bound);

      // Answering again: the same server serves, without a restart.
      const deadline = Date.now() + RECOVERY_BOUND_MS;
      const write = () => call('POST', '/instance/', { name: 'frozen-after', schema: 'solve_model_dag', data: model('frozen-after', 0) }, base);
      let after = await write();
      while (after.status !== 201 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        after = await write();
      }
      expect(after.status, JSON.stringify(after)).to.equal(201);
      expect((await call('GET', '/health/', undefined, base)).body).to.deep.include({ cornflow_status: 'healthy' });
      // The refused writes: absent, or (committed before the deadline cut the connection) whole.
      for (const a of answers.filter((x) => x.name)) {
        const row = await db!('instances').where({ name: a.name }).first();
        if (row) expect(json(row.data), a.name).to.deep.equal(a.data);
      }
    } finally {
      cluster!.thaw();
      await frozenServer.close();
    }
  });

  it('answers 503 for the other ways a database fails a query: statement_timeout (57014), an unknown host', async () => {
    // Real errors from pg, through the server's one error handler.
    const errors: unknown[] = [];
    const client = new pg.Client({ connectionString: cluster!.url('cornflow') });
    await client.connect();
    try {
      await client.query('SET statement_timeout = 1');
      errors.push(await client.query('SELECT pg_sleep(2)').then(() => new Error('pg_sleep was not cancelled'), (e: unknown) => e));
    } finally {
      await client.end();
    }
    const nowhere = new pg.Client({ connectionString: 'postgres://postgres@cornflow-db.invalid:5432/cornflow', connectionTimeoutMillis: 5_000 });
    errors.push(await nowhere.connect().then(() => new Error('connected to .invalid'), (e: unknown) => e));
    expect(errors.map((e) => (e as { code?: string }).code)).to.satisfy((codes: string[]) => codes[0] === '57014' && ['ENOTFOUND', 'EAI_AGAIN'].includes(codes[1]!));
    const app = express();
    app.get('/fail/:i', (req) => {
      throw errors[Number(req.params.i)];
    });
    app.use(errorHandler(pino({ level: 'silent' })));
    for (const i of errors.keys()) {
      const res = await request(app).get(`/fail/${i}`);
      expect(res.status, res.text).to.equal(503);
      expect(res.body).to.deep.equal(UNAVAILABLE);
    }
  });

  for (const mode of ['fast', 'immediate'] as StopMode[]) {
    it(`pg_ctl stop -m ${mode} during a write load: 503 while down, recovers by itself, keeps every acknowledged write`, async () => {
      const outcomes: Outcome[] = [];
      let stopLoad = false;
      const client = async (i: number) => {
        for (let n = 0; !stopLoad; n++) {
          const kind = n % 2 === 0 ? 'instance' : 'case';
          const name = `${mode}-${kind}-c${i}-${n}`;
          const data = model(name, n);
          const body = { name, description: `write ${n} of client ${i}`, schema: 'solve_model_dag', data };
          const started = Date.now();
          const res = await call('POST', kind === 'instance' ? '/instance/' : '/case/', body);
          outcomes.push({ kind, name, data, started, ...res });
          // A client that keeps getting errors backs off a little, as a real one would.
          if (res.status !== 201) await new Promise((r) => setTimeout(r, 50));
        }
      };
      const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
      const acked = () => outcomes.filter((o) => o.status === 201).length;
      try {
        // Some writes go through before the outage.
        const warm = Date.now() + 10_000;
        while (acked() < 4 * CLIENTS && Date.now() < warm) await new Promise((r) => setTimeout(r, 50));
        expect(acked(), 'writes before the outage').to.be.at.least(CLIENTS);

        await cluster!.stop(mode);
        const downFrom = Date.now();
        // While it is down: a health report of cornflow unhealthy, a 503 for a write, and the load keeps getting 503.
        const health = await call('GET', '/health/');
        expect(health.status, health.failure).to.equal(200);
        expect(health.body).to.deep.include({ cornflow_status: 'unhealthy' });
        expect(health.ms, 'health answer time while down').to.be.below(REQUEST_BOUND_MS);
        const probe = await call('POST', '/instance/', { name: `${mode}-probe`, schema: 'solve_model_dag', data: model(`${mode}-probe`, 0) });
        expect(probe.status, JSON.stringify(probe)).to.equal(503);
        expect(probe.body).to.deep.equal(UNAVAILABLE);
        const read = await call('GET', '/instance/');
        expect(read.status, JSON.stringify(read)).to.equal(503);
        await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downFrom))));
        const downTo = Date.now();
        await cluster!.start();
        const upAt = Date.now();

        // Back up: writes succeed again, without restarting our server, within the bound.
        let recoveredAt: number | undefined;
        while (Date.now() - upAt < RECOVERY_BOUND_MS) {
          if (outcomes.some((o) => o.status === 201 && o.started >= upAt)) {
            recoveredAt = Date.now();
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(recoveredAt, `no acknowledged write within ${RECOVERY_BOUND_MS} ms of the restart`).to.not.equal(undefined);
        // Let every client write a few more times after the recovery.
        const more = acked() + 2 * CLIENTS;
        while (acked() < more && Date.now() - upAt < RECOVERY_BOUND_MS) await new Promise((r) => setTimeout(r, 50));
        stopLoad = true;
        await load;

        // OUTAGE_DEBUG=1: what the load saw.
        if (process.env.OUTAGE_DEBUG) {
          const statuses: Record<string, number> = {};
          for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
          console.log({ statuses, down: downTo - downFrom, recovery: recoveredAt! - upAt, slowest: Math.max(...outcomes.map((o) => o.ms)), total: Date.now() - downFrom });
        }
        const healthAfter = await call('GET', '/health/');
        expect(healthAfter.body).to.deep.include({ cornflow_status: 'healthy' });

        // Every answer: a 201 or the 503 error, within the bound; no 500, no hang, no dropped connection.
        const bad = outcomes.filter((o) => !(o.status === 201 || (o.status === 503 && JSON.stringify(o.body) === JSON.stringify(UNAVAILABLE))));
        expect(bad.map(({ name, status, body, failure, ms }) => ({ name, status, body, failure, ms }))).to.deep.equal([]);
        expect(Math.max(...outcomes.map((o) => o.ms)), 'slowest answer (ms)').to.be.below(REQUEST_BOUND_MS);
        // Requests sent while the cluster was down were all refused, and some were sent.
        const whileDown = outcomes.filter((o) => o.started >= downFrom && o.started + o.ms <= downTo);
        expect(whileDown.length, 'requests during the outage').to.be.greaterThan(0);
        expect(whileDown.filter((o) => o.status !== 503)).to.deep.equal([]);
        const after = outcomes.filter((o) => o.started >= (recoveredAt ?? Infinity));
        expect(after.length, 'requests after the recovery').to.be.greaterThan(0);
        expect(after.filter((o) => o.status !== 201).map((o) => o.status), 'after the recovery').to.deep.equal([]);

        // Every acknowledged write is there with the data sent: through the API and in the tables.
        const ok = outcomes.filter((o) => o.status === 201);
        for (const o of ok) {
          const id = (o.body as { id: string | number }).id;
          const res = await call('GET', o.kind === 'instance' ? `/instance/${id}/data/` : `/case/${id}/data/`);
          expect(res.status, `${o.name}: ${JSON.stringify(res)}`).to.equal(200);
          expect((res.body as { name: string }).name).to.equal(o.name);
          expect((res.body as { data: unknown }).data, o.name).to.deep.equal(o.data);
          expect((res.body as { data_hash: string }).data_hash).to.equal((o.body as { data_hash: string }).data_hash);
        }
        const rows = [
          ...(await db!('instances').select('id', 'name', 'data', 'data_hash').where('name', 'like', `${mode}-instance-%`)).map((r) => ({ ...r, kind: 'instance' })),
          ...(await db!('cases').select('id', 'name', 'data', 'data_hash').where('name', 'like', `${mode}-case-%`)).map((r) => ({ ...r, kind: 'case' })),
        ] as { id: string | number; name: string; data: unknown; data_hash: string; kind: string }[];
        const byName = new Map(rows.map((r) => [r.name, r]));
        expect(byName.size, 'one row per name').to.equal(rows.length);
        for (const o of ok) {
          const row = byName.get(o.name);
          expect(row, `acknowledged ${o.kind} ${o.name} in the table`).to.not.equal(undefined);
          expect(String(row!.id)).to.equal(String((o.body as { id: string | number }).id));
          expect(json(row!.data)).to.deep.equal(o.data);
          expect(row!.data_hash).to.equal((o.body as { data_hash: string }).data_hash);
        }
        // A refused write is absent, or (committed just before its connection broke) present whole.
        const sent = new Map(outcomes.map((o) => [o.name, o]));
        for (const row of rows) {
          const o = sent.get(row.name);
          expect(o, `row ${row.name} was sent by the load`).to.not.equal(undefined);
          expect(row.kind).to.equal(o!.kind);
          expect(json(row.data), row.name).to.deep.equal(o!.data);
        }
        expect(rows.length - ok.length, 'rows of refused writes').to.be.at.most(outcomes.length - ok.length);
        expect(await db!('instances').where('name', `${mode}-probe`).first()).to.equal(undefined);
      } finally {
        stopLoad = true;
        await load;
        // A failed check above must not leave the next test without its cluster.
        if (!cluster!.isRunning) await cluster!.start();
      }
    });
  }
});
