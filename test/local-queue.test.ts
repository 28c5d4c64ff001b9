// The local queue over the executions table: exactly-once claims (also between two real processes on one
// PostgreSQL database), heartbeats, and recovery of executions left running by a dead process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { forEachDatabase, testConfig } from './support/app.js';
import { prepare } from '../src/bootstrap.js';
import { ensureUserWithRole } from '../src/domain/users.js';
import { ROLES } from '../src/domain/access-constants.js';
import { LOCAL_QUEUED_RUN_ID, LocalQueue, isLocalRunId } from '../src/local/queue.js';
import { nowStored } from '../src/storage/time.js';

const run = promisify(execFile);
const CLAIMER = fileURLToPath(new URL('./fixtures/queue-claimer.ts', import.meta.url));

forEachDatabase('local queue', (t) => {
  let userId: number;
  let n = 0;
  const instanceId = 'inst-local-queue';

  before(async () => {
    userId = (await t.user('planner')).id;
    const now = nowStored();
    await t.knex('instances').insert({
      id: instanceId, data: '{}', checks: null, name: 'i', description: null, data_hash: 'h', schema: 'solve_model_dag',
      user_id: userId, created_at: now, updated_at: now, deleted_at: null,
    });
  });

  async function execution(state: number, runId: string | null, extra: Record<string, unknown> = {}): Promise<string> {
    n += 1;
    const id = `exec-${n.toString().padStart(4, '0')}`;
    const created = nowStored(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, n)));
    await t.knex('executions').insert({
      id, data: null, checks: null, name: id, description: null, data_hash: 'h', schema: 'solve_model_dag', user_id: userId,
      instance_id: instanceId, config: JSON.stringify({ timeLimit: 5, solver: 'PULP_CBC_CMD' }), run_id: runId, log_text: null,
      log_json: null, state, state_message: null, kpis: null, last_run_checks_and_kpis: null, checks_and_kpis_only: false,
      execution_files_status: 0, created_at: created, updated_at: created, deleted_at: null, ...extra,
    });
    return id;
  }
  const clear = () => t.knex('executions').del();
  const state = async (id: string) => (await t.knex('executions').first('state', 'run_id', 'log_text').where({ id })) as { state: number; run_id: string; log_text: string | null };

  it('claims queued local executions oldest first, each once, and marks them running', async () => {
    await clear();
    const a = await execution(-7, LOCAL_QUEUED_RUN_ID);
    const b = await execution(-7, LOCAL_QUEUED_RUN_ID);
    await execution(-7, 'airflow-run-id'); // another backend's queued run
    await execution(-7, LOCAL_QUEUED_RUN_ID, { deleted_at: nowStored() });
    await execution(0, LOCAL_QUEUED_RUN_ID);
    const q = new LocalQueue(t.knex);
    const first = await q.claimNext();
    expect(first).to.deep.include({ id: a, instanceId, userId, app: 'solve_model_dag', checksOnly: false, runId: q.runId });
    expect(first!.config).to.deep.equal({ timeLimit: 5, solver: 'PULP_CBC_CMD' });
    expect((await q.claimNext())!.id).to.equal(b);
    expect(await q.claimNext()).to.equal(undefined);
    expect(await state(a)).to.include({ state: 0, run_id: q.runId });
    expect(isLocalRunId(q.runId)).to.equal(true);
    expect(isLocalRunId('airflow-run-id')).to.equal(false);
    expect(await q.stillMine(a)).to.equal(true);
    expect(await new LocalQueue(t.knex).stillMine(a)).to.equal(false);
  });

  it('markQueued puts an execution in the queue; a deleted one is refused', async () => {
    await clear();
    const a = await execution(0, null);
    const d = await execution(0, null, { deleted_at: nowStored() });
    const q = new LocalQueue(t.knex);
    expect(await q.markQueued(a)).to.equal(true);
    expect(await q.markQueued(d)).to.equal(false);
    expect(await q.markQueued('nope')).to.equal(false);
    expect(await state(a)).to.include({ state: -7, run_id: LOCAL_QUEUED_RUN_ID });
  });

  it('concurrent claims in one process hand out every execution exactly once', async () => {
    await clear();
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await execution(-7, LOCAL_QUEUED_RUN_ID));
    const queues = [new LocalQueue(t.knex), new LocalQueue(t.knex), new LocalQueue(t.knex)];
    const got: string[] = [];
    await Promise.all(queues.map(async (q) => {
      for (let c = await q.claimNext(); c; c = await q.claimNext()) got.push(c.id);
    }));
    expect([...got].sort()).to.deep.equal(ids);
  });

  if (t.kind === 'postgres') {
    it('two server processes on one PostgreSQL database claim each execution exactly once', async function () {
      this.timeout(120_000);
      await clear();
      const ids: string[] = [];
      for (let i = 0; i < 150; i++) ids.push(await execution(-7, LOCAL_QUEUED_RUN_ID));
      const startAt = Date.now() + 4000;
      const spawn = () => run(process.execPath, ['--import', 'tsx', CLAIMER, String(startAt)], { env: { ...process.env, DATABASE_URL: t.db.url } });
      const [one, two] = await Promise.all([spawn(), spawn()]);
      const a = JSON.parse(one.stdout) as { workerId: string; ids: string[] };
      const b = JSON.parse(two.stdout) as { workerId: string; ids: string[] };
      expect(a.workerId).not.to.equal(b.workerId);
      expect(a.ids.filter((id) => b.ids.includes(id))).to.deep.equal([]);
      expect([...a.ids, ...b.ids].sort()).to.deep.equal(ids);
      expect(a.ids.length).to.be.above(0);
      expect(b.ids.length).to.be.above(0);
      const rows = (await t.knex('executions').select('id', 'run_id', 'state')) as Array<{ id: string; run_id: string; state: number }>;
      for (const r of rows) {
        expect(r.state).to.equal(0);
        expect(r.run_id).to.equal(`local:${a.ids.includes(r.id) ? a.workerId : b.workerId}`);
      }
    });
  }

  it('recovery fails executions of a dead local process or with a stale heartbeat, and leaves live ones alone', async () => {
    await clear();
    const me = new LocalQueue(t.knex);
    const mine = await execution(-7, LOCAL_QUEUED_RUN_ID);
    await me.claimNext();
    const { hostname } = await import('node:os');
    // a pid that cannot exist on Linux (above pid_max)
    const dead = await execution(0, `local:${hostname()}/4194999/abc123`, { updated_at: nowStored() });
    const liveOther = await execution(0, `local:${hostname()}/${process.ppid}/abc124`, { updated_at: nowStored() });
    const staleRemote = await execution(0, 'local:other-host/12/abc125', { updated_at: nowStored(new Date(Date.now() - 3_600_000)) });
    const freshRemote = await execution(0, 'local:other-host/13/abc126', { updated_at: nowStored() });
    const airflow = await execution(0, 'manual__2024', { updated_at: nowStored(new Date(Date.now() - 3_600_000)) });
    const recovered = await new LocalQueue(t.knex).recoverAbandoned(10 * 60_000);
    expect(recovered.map((r) => r.id).sort()).to.deep.equal([dead, staleRemote].sort());
    const d = await state(dead);
    expect(d.state).to.equal(-1);
    expect(d.log_text).to.contain('pid 4194999').and.to.contain('relaunch');
    expect((await state(staleRemote)).log_text).to.contain('no heartbeat');
    for (const id of [mine, liveOther, freshRemote, airflow]) expect((await state(id)).state).to.equal(0);
    expect(await me.heartbeat()).to.equal(1);
  });
});

describe('local queue [sqlite file, two processes]', function () {
  this.timeout(120_000);
  it('two server processes on one SQLite file claim each execution exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cornflow-queue-'));
    const url = `sqlite:///${join(dir, 'q.db')}`;
    const deps = await prepare(testConfig(url), { logger: pino({ level: 'silent' }) });
    const db = deps.db;
    try {
      await ensureUserWithRole(db, { username: 'q', email: 'q@example.com', password: 'Testpass1!' }, ROLES.planner, true);
      const userId = Number((await db('users').first('id').where({ username: 'q' })).id);
      const now = nowStored();
      await db('instances').insert({ id: 'i', data: '{}', checks: null, name: 'i', description: null, data_hash: 'h', schema: 's', user_id: userId, created_at: now, updated_at: now, deleted_at: null });
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        const id = `e${String(i).padStart(3, '0')}`;
        ids.push(id);
        await db('executions').insert({
          id, data: null, checks: null, name: id, description: null, data_hash: 'h', schema: 's', user_id: userId, instance_id: 'i',
          config: '{}', run_id: LOCAL_QUEUED_RUN_ID, log_text: null, log_json: null, state: -7, state_message: null, kpis: null,
          last_run_checks_and_kpis: null, checks_and_kpis_only: false, execution_files_status: 0,
          created_at: nowStored(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, i))), updated_at: now, deleted_at: null,
        });
      }
      const startAt = Date.now() + 4000;
      const spawn = () => run(process.execPath, ['--import', 'tsx', CLAIMER, String(startAt)], { env: { ...process.env, DATABASE_URL: url } });
      const [one, two] = await Promise.all([spawn(), spawn()]);
      const a = JSON.parse(one.stdout) as { ids: string[] };
      const b = JSON.parse(two.stdout) as { ids: string[] };
      expect(a.ids.filter((id) => b.ids.includes(id))).to.deep.equal([]);
      expect([...a.ids, ...b.ids].sort()).to.deep.equal(ids);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
