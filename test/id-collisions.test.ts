// Object ids are cornflow's sha1(str(created_at) + " " + user_id[ + " " + instance_id]). Each process has its own
// microsecond clock, so another process (a cluster worker, another server, the CLI, a Flask cornflow) may take
// the id a create is about to use. Such a create must still succeed, at a later microsecond, with an id that
// follows the formula for the created_at it is stored with, and without touching the other process's row.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DATABASES, createTestDatabase, forEachDatabase, type TestApp, type TestUser } from './support/app.js';
import { insertCase, newInstance } from './support/executions.js';
import { spawnServer } from './support/server-process.js';
import { insertExecution, type NewExecution } from '../src/storage/executions.js';
import { insertInstance, type NewInstance } from '../src/storage/instances.js';

const TESTDATA = '/work/shared/reference/cornflow-testdata';
const NEW_INSTANCE_TEXT = readFileSync(`${TESTDATA}/new_instance.json`, 'utf8');
const NEW_INSTANCE = JSON.parse(NEW_INSTANCE_TEXT) as Record<string, unknown>;
const NEW_INSTANCE_HASH = '4e1ad86aa70efc6e588744aa4b2300cb9aea516b6bea9355bd00c50dac1ee6a2';
/** How many consecutive microseconds "another process" has taken: more than one retry's jump (at most 16). */
const TAKEN = 40;

/** The stored naive UTC text of an epoch microsecond: "YYYY-MM-DD HH:MM:SS.ffffff". */
function storedAt(micros: bigint): string {
  const iso = new Date(Number(micros / 1000n)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${(micros % 1_000_000n).toString().padStart(6, '0')}`;
}

/** cornflow's id for a created_at, written here from the formula (not from src/domain/ids.ts). */
function formulaId(createdAt: string, userId: number, parentId?: string): string {
  // Wire "2024-05-06T10:11:12.123456" (no fraction when 0) or stored "2024-05-06 10:11:12.123456".
  const [seconds, frac = ''] = createdAt.replace('T', ' ').split('.');
  const python = `${seconds}${/^0*$/.test(frac) ? '' : `.${frac.padEnd(6, '0')}`}+00:00`;
  const text = parentId === undefined ? `${python} ${userId}` : `${python} ${userId} ${parentId}`;
  return createHash('sha1').update(text).digest('hex');
}

function stored(value: unknown): string {
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  return String(value);
}

let lastPinned = 0;

/**
 * Runs `create` with Date.now() pinned to a millisecond a little ahead, later than anything this process's clock
 * has handed out (a create retries well within one millisecond), so the first creation time is exactly that
 * millisecond's first microsecond. `wholeSecond` pins to the next whole second: created_at without a fraction,
 * which Python's str() writes without ".000000".
 */
async function atPinnedClock<T>(create: (firstMicros: bigint) => Promise<T>, wholeSecond = false): Promise<T> {
  const after = Math.max(Date.now(), lastPinned) + 1;
  const pinned = wholeSecond ? Math.ceil(after / 1000) * 1000 : after;
  lastPinned = pinned;
  const realNow = Date.now;
  Date.now = () => pinned;
  try {
    return await create(BigInt(pinned) * 1000n);
  } finally {
    Date.now = realNow;
  }
}

forEachDatabase('object id collisions', (t: TestApp) => {
  let planner: TestUser;
  let instanceId: string;
  before(async () => {
    planner = await t.user('planner');
    instanceId = await newInstance(t, planner);
  });
  // The process clock ran ahead with the pinned times: let real time catch up so later suites see a normal clock.
  after(async function () {
    this.timeout(5000);
    while (Date.now() <= lastPinned + 1) await new Promise((r) => setTimeout(r, 20));
  });

  /** Rows "another process" wrote for this user at the microseconds first … first+TAKEN−1, cloned from a model row. */
  async function takeIds(table: 'instances' | 'executions', model: Record<string, unknown>, first: bigint, parentId?: string): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0n; i < BigInt(TAKEN); i++) {
      const createdAt = storedAt(first + i);
      const id = formulaId(createdAt, planner.id, parentId);
      await t.knex(table).insert({ ...model, id, created_at: createdAt, updated_at: createdAt, data_hash: 'taken by another process' });
      ids.push(id);
    }
    return ids;
  }

  async function modelRow(table: 'instances' | 'executions', id: string): Promise<Record<string, unknown>> {
    const row = (await t.knex(table).where({ id }).first()) as Record<string, unknown>;
    return { ...row, data: row.data === null || typeof row.data === 'string' ? row.data : JSON.stringify(row.data) };
  }

  /** The new row: not one of the taken ids, id = formula(created_at) on the wire and in the table, taken rows untouched. */
  async function expectFreshRow(table: 'instances' | 'executions', id: string, wireCreatedAt: string, taken: string[], parentId?: string) {
    expect(taken).not.to.include(id);
    expect(formulaId(wireCreatedAt, planner.id, parentId)).to.equal(id);
    const row = await t.knex(table).where({ id }).first();
    expect(formulaId(stored(row.created_at), planner.id, parentId)).to.equal(id);
    const others = await t.knex(table).whereIn('id', taken).select('data_hash');
    expect(others.map((r: { data_hash: string }) => r.data_hash)).to.deep.equal(Array(TAKEN).fill('taken by another process'));
  }

  it('createInstance: the ids of the next microseconds are taken → 201 at a later microsecond, hash unchanged', async () => {
    const model = await modelRow('instances', instanceId);
    const before = await t.count('instances');
    const { res, taken } = await atPinnedClock(async (first) => {
      const taken = await takeIds('instances', model, first);
      return { res: await t.post('/instance/', { token: planner.token, body: NEW_INSTANCE }), taken };
    }, true);
    expect(res.status, res.text).to.equal(201);
    expect(res.body.data_hash).to.equal(NEW_INSTANCE_HASH);
    await expectFreshRow('instances', res.body.id, res.body.created_at, taken);
    expect(await t.count('instances')).to.equal(before + TAKEN + 1);
    const got = await t.get(`/instance/${res.body.id}/`, { token: planner.token });
    expect(got.body.created_at).to.equal(res.body.created_at);
    expect(got.body.data_hash).to.equal(NEW_INSTANCE_HASH);
  });

  it('createExecution (run=0): the same for an execution id', async () => {
    const first = await t.post('/execution/', { token: planner.token, query: { run: '0' }, body: { name: 'exec', config: { timeLimit: 10 }, instance_id: instanceId } });
    expect(first.status, first.text).to.equal(201);
    const model = await modelRow('executions', first.body.id);
    const before = await t.count('executions');
    const { res, taken } = await atPinnedClock(async (micros) => {
      const taken = await takeIds('executions', model, micros, instanceId);
      const res = await t.post('/execution/', { token: planner.token, query: { run: '0' }, body: { name: 'exec', config: { timeLimit: 10 }, instance_id: instanceId } });
      return { res, taken };
    });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.state).to.equal(-4);
    expect(res.body.data_hash).to.equal(first.body.data_hash);
    await expectFreshRow('executions', res.body.id, res.body.created_at, taken, instanceId);
    expect(await t.count('executions')).to.equal(before + TAKEN + 1);
  });

  it('createManualExecution, data check of an instance, instance from a case: the same', async () => {
    const exec = await t.post('/execution/', { token: planner.token, query: { run: '0' }, body: { name: 'exec', config: {}, instance_id: instanceId } });
    const model = await modelRow('executions', exec.body.id);
    const manual = await atPinnedClock(async (micros) => {
      const taken = await takeIds('executions', model, micros, instanceId);
      return { taken, res: await t.post('/dag/', { token: planner.token, body: { name: 'manual', config: {}, instance_id: instanceId } }) };
    });
    expect(manual.res.status, manual.res.text).to.equal(201);
    await expectFreshRow('executions', manual.res.body.id, manual.res.body.created_at, manual.taken, instanceId);

    const check = await atPinnedClock(async (micros) => {
      const taken = await takeIds('executions', model, micros, instanceId);
      return { taken, res: await t.post(`/data-check/instance/${instanceId}/`, { token: planner.token, query: { run: '0' } }) };
    });
    expect(check.res.status, check.res.text).to.equal(201);
    await expectFreshRow('executions', check.res.body.id, check.res.body.created_at, check.taken, instanceId);

    const caseId = await insertCase(t, planner);
    const fromCase = await atPinnedClock(async (micros) => {
      const taken = await takeIds('instances', await modelRow('instances', instanceId), micros);
      return { taken, res: await t.post(`/case/${caseId}/instance/`, { token: planner.token }) };
    });
    expect(fromCase.res.status, fromCase.res.text).to.equal(201);
    const row = await t.knex('instances').where({ id: fromCase.res.body.id }).first();
    await expectFreshRow('instances', fromCase.res.body.id, stored(row.created_at), fromCase.taken);
  });

  it('storage: a taken id is "false" with nothing written, also inside a transaction; other constraint errors still throw', async () => {
    const model = (await modelRow('instances', instanceId)) as unknown as NewInstance & { updated_at?: unknown };
    const { updated_at: _u, ...instance } = model as NewInstance & { updated_at?: unknown; deleted_at?: unknown };
    delete (instance as { deleted_at?: unknown }).deleted_at;
    expect(await insertInstance(t.knex, { ...instance, name: 'second' })).to.equal(false);
    expect((await t.knex('instances').where({ id: instanceId }).first()).name).to.not.equal('second');

    // A failed statement would abort a PostgreSQL transaction; "do nothing" keeps it usable.
    const createdAt = storedAt(BigInt(Date.now()) * 1000n - 123n);
    const freshId = formulaId(createdAt, planner.id);
    await t.knex.transaction(async (trx) => {
      expect(await insertInstance(trx, { ...instance, name: 'again' })).to.equal(false);
      expect(await insertInstance(trx, { ...instance, id: freshId, created_at: createdAt })).to.equal(true);
    });
    expect(await t.knex('instances').where({ id: freshId }).first()).to.be.an('object');

    // A foreign-key failure is not an id collision: it throws as before.
    const exec = (await modelRow('executions', (await t.knex('executions').first('id')).id)) as Record<string, unknown>;
    for (const key of ['updated_at', 'deleted_at', 'execution_files_status', 'run_id', 'last_run_checks_and_kpis']) delete exec[key];
    const orphan = { ...exec, id: 'f'.repeat(40), instance_id: 'no-such-instance' } as unknown as NewExecution;
    let thrown: unknown;
    try {
      await insertExecution(t.knex, orphan);
    } catch (err) {
      thrown = err;
    }
    expect(String((thrown as { code?: unknown } | undefined)?.code)).to.match(/^(23503|SQLITE_CONSTRAINT_FOREIGNKEY)$/);
    expect(await t.knex('executions').where({ id: 'f'.repeat(40) }).first()).to.equal(undefined);
  });
});

// Two server processes (cluster workers) on one database, each with its own clock, creating for one user at once.
for (const kind of DATABASES) {
  describe(`object id collisions between processes [${kind}]`, () => {
    it('WEB_CONCURRENCY=2: every concurrent POST /instance/ and POST /execution/?run=0 is 201 with a distinct id', async function () {
      this.timeout(120_000);
      const dir = mkdtempSync(join(tmpdir(), 'cornflow-ids-'));
      const db = await createTestDatabase(kind, join(dir, 'cornflow.db'));
      const port = 30000 + Math.floor(Math.random() * 10000);
      const server = spawnServer(dir, { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, SECRET_KEY: 'ids-test-secret', WEB_CONCURRENCY: '2', CORNFLOW_LOG_SILENT: '', LOG_LEVEL: '20' });
      try {
        await server.listening(60_000);
        const base = `http://127.0.0.1:${port}`;
        const login = await fetch(`${base}/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }) });
        const { token, id: userId } = (await login.json()) as { token: string; id: number };
        const post = async (path: string, body: string) => {
          const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
          return { status: r.status, body: (await r.json()) as { id: string; created_at: string } };
        };
        const instances: Array<{ status: number; body: { id: string; created_at: string } }> = [];
        for (let round = 0; round < 8; round++) instances.push(...(await Promise.all(Array.from({ length: 32 }, () => post('/instance/', NEW_INSTANCE_TEXT)))));
        const failed = instances.filter((r) => r.status !== 201);
        expect(failed, `${JSON.stringify(failed.slice(0, 3))}\n${server.output().slice(-3000)}`).to.deep.equal([]);
        const ids = instances.map((r) => r.body.id);
        expect(new Set(ids).size).to.equal(ids.length);
        for (const r of instances) expect(formulaId(r.body.created_at, userId)).to.equal(r.body.id);

        const parent = ids[0]!;
        const execBody = JSON.stringify({ name: 'exec', config: { timeLimit: 10 }, instance_id: parent });
        const executions: Array<{ status: number; body: { id: string; created_at: string } }> = [];
        for (let round = 0; round < 4; round++) executions.push(...(await Promise.all(Array.from({ length: 32 }, () => post('/execution/?run=0', execBody)))));
        const execFailed = executions.filter((r) => r.status !== 201);
        expect(execFailed, JSON.stringify(execFailed.slice(0, 3))).to.deep.equal([]);
        expect(new Set(executions.map((r) => r.body.id)).size).to.equal(executions.length);
        for (const r of executions) expect(formulaId(r.body.created_at, userId, parent)).to.equal(r.body.id);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
