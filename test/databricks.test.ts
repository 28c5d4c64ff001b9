// Databricks client against a loopback double that checks every request against the documented Jobs API shapes.
import { expect } from 'chai';
import { DatabricksOrchestrator } from '../src/orchestration/databricks.js';
import { OrchestratorError } from '../src/orchestration/types.js';
import { CommunicationError } from '../src/domain/errors.js';
import { DatabricksDouble } from './support/databricks.js';

describe('Databricks client', function () {
  this.timeout(20000);
  let db: DatabricksDouble;
  let client: DatabricksOrchestrator;
  const JOB = '979073949072767';

  beforeEach(async () => {
    db = new DatabricksDouble();
    await db.start();
    client = new DatabricksOrchestrator({
      host: `${db.url}/`, clientId: db.clientId, clientSecret: db.clientSecret, tokenEndpoint: '/oidc/v1/token', healthPath: '/health', timeoutMs: 1000,
    });
  });
  afterEach(async () => {
    expect(db.violations, db.violations.join('\n')).to.deep.equal([]);
    await db.stop();
  });

  it('is healthy when the health path exists; "default path" means not configured', async () => {
    expect(await client.healthy()).to.equal(true);
    db.workspacePaths.clear();
    expect(await client.healthy()).to.equal(false);
    const unset = new DatabricksOrchestrator({ host: db.url, clientId: 'a', clientSecret: 'b', tokenEndpoint: '/oidc/v1/token', healthPath: 'default path' });
    expect(await unset.healthy()).to.equal(false);
  });

  it('runs a job with cornflow parameters, maps its states as cornflow, and cancels it', async () => {
    expect(await client.appInfo(JOB)).to.deep.equal({ exists: true, paused: false });
    expect(await client.appInfo('123')).to.deep.equal({ exists: false, paused: false });
    expect(await client.appInfo('solve_model_dag')).to.deep.equal({ exists: false, paused: false });
    const { runId } = await client.trigger({ executionId: 'exec9', app: JOB, checksOnly: false });
    const run = db.runs.get(Number(runId))!;
    expect(run.params).to.deep.equal({ checks_and_kpis_only: 'false', execution_id: 'exec9' });
    const ref = { app: JOB, runId, checksOnly: false };
    const cases: Array<[{ state: string; termination_details?: { code: string } }, number]> = [
      [{ state: 'BLOCKED' }, -7], [{ state: 'PENDING' }, -7], [{ state: 'QUEUED' }, -7],
      [{ state: 'RUNNING' }, 0], [{ state: 'TERMINATING' }, 0],
      [{ state: 'TERMINATED', termination_details: { code: 'SUCCESS' } }, 1],
      [{ state: 'TERMINATED', termination_details: { code: 'USER_CANCELED' } }, -2],
      [{ state: 'TERMINATED', termination_details: { code: 'RUN_EXECUTION_ERROR' } }, -1],
      [{ state: 'WAITING' }, -5],
    ];
    for (const [status, code] of cases) {
      run.status = status;
      expect(await client.runState(ref), JSON.stringify(status)).to.equal(code);
    }
    run.status = { state: 'RUNNING' };
    await client.stop(ref);
    expect(await client.runState(ref)).to.equal(-2);
    expect(db.tokensIssued).to.equal(1); // cached, not one per call as cornflow
  });

  it('passes Databricks errors through with their status', async () => {
    const e = await client.trigger({ executionId: 'x', app: '42', checksOnly: true }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(OrchestratorError);
    expect((e as OrchestratorError).status).to.equal(400);
    expect((e as OrchestratorError).message).to.contain('does not exist');
    const bad = await client.trigger({ executionId: 'x', app: 'not-a-number', checksOnly: false }).catch((x: unknown) => x);
    expect((bad as OrchestratorError).status).to.equal(400);
    expect(db.calls.filter((c) => c.op === 'runNow')).to.have.length(1); // the bad id never reached Databricks
    const ex = await client.examples().catch((x: unknown) => x);
    expect((ex as OrchestratorError).status).to.equal(501);
    expect(await client.listApps()).to.deep.equal([]);
  });

  it('refuses bad client credentials with status 401', async () => {
    const wrong = new DatabricksOrchestrator({ host: db.url, clientId: 'cid', clientSecret: 'nope', tokenEndpoint: '/oidc/v1/token', healthPath: '/health' });
    const e = await wrong.appInfo(JOB).catch((x: unknown) => x);
    expect((e as OrchestratorError).status).to.equal(401);
  });

  it('fetches a new token when the cached one expires or is refused', async () => {
    db.tokenLifetime = 30; // below the 60 s margin
    await client.appInfo(JOB);
    await client.appInfo(JOB);
    expect(db.tokensIssued).to.equal(2);
    db.tokenLifetime = 3600;
    await client.appInfo(JOB);
    db.validTokens.clear(); // revoked
    expect(await client.appInfo(JOB)).to.deep.equal({ exists: true, paused: false });
    expect(db.tokensIssued).to.equal(4);
  });

  it('gives up after its timeout with a CommunicationError', async () => {
    await client.accessToken();
    db.delayMs = 3000;
    const e = await client.runState({ app: JOB, runId: '1', checksOnly: false }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CommunicationError);
    db.delayMs = 0;
  });
});
