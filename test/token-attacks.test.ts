// Token attacks (issue #11), driven by the spec: every operation whose security names bearerAuth gets a cheap,
// otherwise valid request (existing ids, the operation's own example body) carrying each forged, tampered or
// misplaced token. Each must fail with cornflow's status and message, a body that holds nothing but the error,
// a response valid against the contract, and the database unchanged. The last test of each suite sends the
// same requests with the real token of the user the forgeries impersonate: they succeed, so the token was the
// only thing wrong.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import AdmZip from 'adm-zip';
import type { Response } from 'supertest';
import { contract, forEachDatabase, TEST_SECRET, type TestApp, type TestUser } from './support/app.js';
import { listTables, snapshot } from './support/fuzz.js';
import { newExecution, newInstance } from './support/executions.js';
import { OIDC_AUDIENCE, TestOidcProvider } from './support/oidc.js';
import {
  attackerKeys,
  internalAttacks,
  KeyBait,
  providerAttacks,
  securedOperations,
  type Attack,
  type AttackRequest,
  type SecuredOperation,
} from './support/token-attacks.js';
import { AUTH_MESSAGES } from '../src/domain/errors.js';
import { ROLES } from '../src/domain/access-constants.js';
import { addUserRole } from '../src/storage/access.js';
import { issueToken } from '../src/auth/tokens.js';
import { nowStored } from '../src/storage/time.js';

const OPERATIONS = securedOperations(contract.spec);
const MPS = readFileSync(new URL('./fixtures/mps/bounds.mps', import.meta.url));
const ZIP = (() => {
  const z = new AdmZip();
  z.addFile('report.txt', Buffer.from('hello'));
  return z.toBuffer();
})();
const MODEL = (JSON.parse(readFileSync('/work/shared/reference/cornflow-testdata/new_instance.json', 'utf8')) as { data: unknown }).data;

/** The objects the representative requests aim at (all visible to the victim). */
interface Fixtures {
  victim: TestUser;
  /** Another user the user routes act on; `disposable` is the one deleteUser deletes. */
  target: TestUser;
  disposable: TestUser;
  instance: string;
  instance2: string;
  execution: string;
  execution2: string;
  /** Finished executions, one per data-check route (they refuse running ones, and a data check starts one). */
  finished: [string, string];
  case1: number;
  case2: number;
  case3: number;
  role: number;
  permission: number;
  alarm: number;
  example: string;
}

async function expectStatus(res: Response, status: number, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).to.equal(status);
  return res.body;
}

/** A user holding every role but dummy: what a forged token would want to be. */
async function superuser(t: TestApp): Promise<TestUser> {
  const u = await t.user('admin');
  for (const role of [ROLES.planner, ROLES.service]) await addUserRole(t.knex, u.id, role);
  return u;
}

async function makeFixtures(t: TestApp, victim: TestUser, withAdminObjects = true): Promise<Fixtures> {
  const token = victim.token;
  const instance = await newInstance(t, victim);
  const instance2 = await newInstance(t, victim);
  const execution = (await newExecution(t, victim, instance)).body.id as string;
  const execution2 = (await newExecution(t, victim, instance)).body.id as string;
  const finished: [string, string] = [(await newExecution(t, victim, instance)).body.id, (await newExecution(t, victim, instance)).body.id];
  await t.knex('executions').whereIn('id', finished).update({ state: 1 });
  const kase = async (name: string) =>
    (await expectStatus(await t.post('/case/', { token, body: { name, schema: 'solve_model_dag', data: MODEL } }), 201, 'createCase')).id as number;
  const fx: Partial<Fixtures> = { victim, instance, instance2, execution, execution2, finished, case1: await kase('c1'), case2: await kase('c2'), case3: await kase('c3') };
  const examples = await expectStatus(await t.get('/example/solve_model_dag/', { token }), 200, 'listExamples');
  fx.example = (examples as { name: string }[])[0]!.name;
  if (withAdminObjects) {
    fx.target = await t.user('planner');
    fx.disposable = await t.user('planner');
    fx.role = (await expectStatus(await t.post('/roles/', { token, body: { name: 'attack_target' } }), 201, 'createRole')).id;
    fx.permission = (
      await expectStatus(await t.post('/permission/', { token, body: { action_id: 1, role_id: fx.role, api_view_id: 1 } }), 201, 'createPermission')
    ).id;
    fx.alarm = (
      await expectStatus(await t.post('/alarms/', { token, body: { name: 'a1', criticality: 1, description: 'd', schema: 'solve_model_dag' } }), 201, 'createAlarm')
    ).id;
  }
  return fx as Fixtures;
}

interface Representative {
  url: string;
  json?: unknown;
  form?: Record<string, string>;
  file?: { field: string; buf: Buffer; name: string };
}

/** A request of the operation that succeeds with a good token (ids of the fixtures, the spec's example body). */
function representative(op: SecuredOperation, fx: Fixtures, n: number): Representative {
  const id = op.operationId;
  const idx = (() => {
    const p = op.path;
    if (p.startsWith('/roles/')) return fx.role;
    if (p.startsWith('/permission/')) return fx.permission;
    if (p.startsWith('/alarms/')) return fx.alarm;
    if (p.startsWith('/dag/deployed/')) return 'solve_model_dag';
    if (p.startsWith('/table/')) return fx.victim.id;
    if (p.startsWith('/case/') || p.startsWith('/dag/case/') || p.includes('-check/case/') || p.includes('-kpis/case/')) return id === 'deleteCase' ? fx.case3 : fx.case1;
    if (p.includes('/instance/')) return id === 'deleteInstance' ? fx.instance2 : fx.instance;
    if (p.startsWith('/data-check')) return fx.finished[id === 'dataCheckExecution' ? 1 : 0];
    return id === 'deleteExecution' ? fx.execution2 : fx.execution;
  })();
  const params: Record<string, string | number> = {
    idx,
    user_id: id === 'deleteUser' ? fx.disposable?.id : fx.target?.id,
    role_id: ROLES.planner,
    make_admin: 1,
    idx1: fx.case1,
    idx2: fx.case2,
    dag_name: 'solve_model_dag',
    example_name: fx.example,
    table_name: 'users',
  };
  const url = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(params[name])));
  const example = (op.example ?? undefined) as Record<string, unknown> | undefined;
  const bodies: Record<string, unknown> = {
    signup: { username: `attack_signup_${n}`, email: `attack_signup_${n}@example.com`, password: 'Attack_1234' },
    createUserRole: { user_id: fx.target?.id, role_id: ROLES.viewer },
    createRole: { name: `attack_role_${n}` },
    createPermission: { action_id: 3, role_id: fx.role, api_view_id: 1 },
    updatePermission: { role_id: fx.role },
    createCaseFromInstance: { name: 'from instance', schema: 'solve_model_dag', instance_id: fx.instance },
    createDeployedDag: { ...example, id: `attack_app_${n}` },
    createExecution: { ...example, instance_id: fx.instance, config: { timeLimit: 10 } },
    createManualExecution: { ...example, instance_id: fx.instance, config: { timeLimit: 10 } },
    createMainAlarm: { ...example, id_alarm: fx.alarm },
    createCase: { name: `attack_case_${n}`, schema: 'solve_model_dag', data: MODEL },
    patchCaseData: { data_patch: [{ op: 'add', path: '/note', value: 'patched' }] },
  };
  if (id === 'createInstanceFromFile') return { url, form: { name: 'from file' }, file: { field: 'file', buf: MPS, name: 'bounds.mps' } };
  if (id === 'uploadExecutionFiles') return { url, form: { execution_files_status: '1' }, file: { field: 'execution_file', buf: ZIP, name: 'files.zip' } };
  return { url, json: id in bodies ? bodies[id] : example };
}

/** Sends the representative request with the attack's credentials, checks the contract, returns the response. */
async function send(t: TestApp, op: SecuredOperation, rep: Representative, cred: AttackRequest): Promise<Response> {
  let req = t.raw()[op.method](rep.url);
  if (cred.token !== undefined) req = req.set('Authorization', `Bearer ${cred.token}`);
  for (const [k, v] of Object.entries(cred.headers ?? {})) req = req.set(k, v);
  if (cred.query) req = req.query(cred.query);
  let res: Response;
  if (rep.file) {
    for (const [k, v] of Object.entries(rep.form ?? {})) req = req.field(k, v);
    res = await req.attach(rep.file.field, rep.file.buf, rep.file.name);
  } else if (rep.form) res = await req.type('form').send(rep.form);
  else res = rep.json === undefined ? await req : await req.send(rep.json as object);
  contract.check(op.method, rep.url, res);
  return res;
}

/** What cornflow answers to an authentication failure on that operation. */
function expectedFailure(op: SecuredOperation, error: string): { status: number; body: unknown } {
  // /token/ only reports: the header checks are its 400s, any other failure is {"valid": 0}.
  if (op.permission === 'none' && error !== AUTH_MESSAGES.missingHeader && error !== AUTH_MESSAGES.badHeader) return { status: 200, body: { valid: 0 } };
  return { status: 400, body: { error } };
}

/** Attacks on one operation: each fails as expected, with nothing but the error, and nothing changes. */
async function attackOperation(t: TestApp, op: SecuredOperation, fx: Fixtures, attacks: Attack[], tables: string[]) {
  const rep = representative(op, fx, 0);
  const before = await snapshot(t.knex, tables);
  const failures: string[] = [];
  for (const attack of attacks) {
    const res = await send(t, op, rep, attack.request);
    const want = expectedFailure(op, attack.error);
    if (res.status !== want.status || JSON.stringify(res.body) !== JSON.stringify(want.body)) {
      failures.push(`${attack.name}: ${res.status} ${res.text.slice(0, 200)} (expected ${want.status} ${JSON.stringify(want.body)})`);
    }
  }
  expect(failures, `${op.operationId} ${op.method.toUpperCase()} ${rep.url}`).to.deep.equal([]);
  expect(await snapshot(t.knex, tables), `${op.operationId}: the database changed`).to.equal(before);
}

/** The control: the same representative requests with a real token succeed (deletions last). */
async function controlPass(t: TestApp, ops: SecuredOperation[], fx: Fixtures, token: string) {
  // Files are uploaded before they are downloaded; deletions come last.
  const rank = (o: SecuredOperation) => (o.operationId === 'uploadExecutionFiles' ? -1 : o.method === 'delete' ? 1 : 0);
  const order = [...ops].sort((a, b) => rank(a) - rank(b));
  // deleteRole never succeeds (cornflow: roles can not be deleted).
  const expected: Record<string, number> = { deleteRole: 501 };
  const wrong: string[] = [];
  let n = 0;
  for (const op of order) {
    n += 1;
    const rep = representative(op, fx, n);
    const res = await send(t, op, rep, { token });
    const ok = expected[op.operationId] !== undefined ? res.status === expected[op.operationId] : res.status < 300;
    if (!ok) wrong.push(`${op.operationId} ${op.method.toUpperCase()} ${rep.url}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  expect(wrong).to.deep.equal([]);
}

describe('token attacks', function () {
  this.timeout(120_000);
  const keys = attackerKeys();
  const bait = new KeyBait({ keys: [keys.rsa.jwk, keys.ec.jwk] });
  before(async () => {
    await bait.start();
  });
  after(async () => bait.stop());

  forEachDatabase(
    'token attacks on internal tokens',
    (t) => {
      let fx: Fixtures;
      let tables: string[];
      let attacks: Attack[];
      let roleless: TestUser;
      before(async function () {
        this.timeout(60_000);
        const victim = await superuser(t);
        fx = await makeFixtures(t, victim);
        const own = await t.user('viewer');
        attacks = internalAttacks({ victim: victim.username, secret: TEST_SECRET, ownToken: own.token, keys, bait, badToken: AUTH_MESSAGES.badToken });
        // A deleted user's token: the user is gone (DELETE /user/<id>/ is a hard delete), so is the token.
        const deleted = await t.user('admin');
        await expectStatus(await t.delete(`/user/${deleted.id}/`, { token: victim.token }), 200, 'deleteUser');
        attacks.push({ name: "a deleted user's token", request: { token: deleted.token }, error: AUTH_MESSAGES.unknownUser });
        // A user whose only role was removed keeps a valid token but may do nothing (403 below).
        roleless = await t.user('admin');
        await t.knex('user_role').where({ user_id: roleless.id }).del();
        tables = await listTables(t.knex);
      });

      it('covers every operation that needs a token', () => {
        expect(OPERATIONS.length).to.be.greaterThan(80);
        const ids = OPERATIONS.map((o) => o.operationId);
        for (const id of ['checkToken', 'signup', 'listUsers', 'getWorkerData', 'writeWorkerResults', 'createManualExecution', 'listForwarded', 'listAlarms']) {
          expect(ids).to.include(id);
        }
        for (const id of ['login', 'getHealth', 'recoverPassword']) expect(ids).to.not.include(id);
      });

      for (const op of OPERATIONS) {
        it(`${op.operationId} (${op.method.toUpperCase()} ${op.path}): every attack fails as cornflow answers, nothing changes`, async () => {
          await attackOperation(t, op, fx, attacks, tables);
          expect(bait.hits, 'the server fetched a key from where a token pointed').to.deep.equal([]);
        });
      }

      it('a user whose only role was removed: 403 on every permission-checked operation, /token/ still valid', async () => {
        const before = await snapshot(t.knex, tables);
        const wrong: string[] = [];
        for (const op of OPERATIONS) {
          const rep = representative(op, fx, 0);
          const res = await send(t, op, rep, { token: roleless.token });
          const want = op.permission === 'none' ? { status: 200, body: { valid: 1 } } : { status: 403, body: { error: AUTH_MESSAGES.noPermission } };
          if (res.status !== want.status || JSON.stringify(res.body) !== JSON.stringify(want.body)) wrong.push(`${op.operationId}: ${res.status} ${res.text.slice(0, 200)}`);
        }
        expect(wrong).to.deep.equal([]);
        expect(await snapshot(t.knex, tables)).to.equal(before);
      });

      it('a user whose role was removed cannot reach the objects they own; with the role back they can', async () => {
        const owner = await t.user('planner');
        const instance = await newInstance(t, owner);
        const execution = (await newExecution(t, owner, instance)).body.id as string;
        const caseId = (await expectStatus(await t.post('/case/', { token: owner.token, body: { name: 'mine', schema: 'solve_model_dag', data: MODEL } }), 201, 'createCase')).id;
        const urls = [`/instance/${instance}/`, `/instance/${instance}/data/`, `/execution/${execution}/`, `/execution/${execution}/data/`, `/case/${caseId}/`, '/instance/', '/case/', '/execution/'];
        await t.knex('user_role').where({ user_id: owner.id }).del();
        for (const url of urls) {
          const res = await t.get(url, { token: owner.token });
          expect(res.status, url).to.equal(403);
          expect(res.body).to.deep.equal({ error: AUTH_MESSAGES.noPermission });
        }
        for (const [method, url] of [['put', `/instance/${instance}/`], ['delete', `/instance/${instance}/`], ['delete', `/case/${caseId}/`]] as const) {
          const res = await t[method](url, { token: owner.token, ...(method === 'put' ? { body: { name: 'taken over' } } : {}) });
          expect(res.status, `${method} ${url}`).to.equal(403);
        }
        expect((await t.knex('instances').where({ id: instance }).first()).name).to.not.equal('taken over');
        await addUserRole(t.knex, owner.id, ROLES.planner);
        for (const url of urls) expect((await t.get(url, { token: owner.token })).status, url).to.equal(200);
      });

      it("a password change does not end the user's tokens (cornflow has no revocation); a rename does (sub is the username)", async () => {
        const u = await t.user('planner');
        const res = await t.put(`/user/${u.id}/`, { token: u.token, body: { password: 'Changed_pass1!' } });
        expect(res.status).to.equal(200);
        expect((await t.get('/instance/', { token: u.token })).status).to.equal(200);
        expect((await t.get('/token/', { token: u.token })).body).to.deep.equal({ valid: 1 });
        expect((await t.put(`/user/${u.id}/`, { token: u.token, body: { username: `${u.username}_renamed` } })).status).to.equal(200);
        const after = await t.get('/instance/', { token: u.token });
        expect(after.status).to.equal(400);
        expect(after.body).to.deep.equal({ error: AUTH_MESSAGES.unknownUser });
        expect((await t.get('/token/', { token: u.token })).body).to.deep.equal({ valid: 0 });
      });

      it("a deleted user's username taken by a new account: the old token does not open the new account", async () => {
        const body = { username: 'reused_name', email: 'reused_name@example.com', password: 'Reused_name1' };
        const first = await expectStatus(await t.post('/signup/', { token: fx.victim.token, body }), 201, 'signup');
        // The first holder signed up two minutes ago and got a token a minute ago (as this server issued it then).
        await t.knex('users').where({ id: first.id }).update({ created_at: nowStored(new Date(Date.now() - 120_000)) });
        const old = issueToken(body.username, TEST_SECRET, 24, Date.now() - 60_000);
        expect((await t.get('/token/', { token: old })).body).to.deep.equal({ valid: 1 });
        await expectStatus(await t.delete(`/user/${first.id}/`, { token: fx.victim.token }), 200, 'deleteUser');
        const second = await expectStatus(await t.post('/signup/', { token: fx.victim.token, body: { ...body, email: 'second@example.com' } }), 201, 'signup');
        const res = await t.get(`/user/${second.id}/`, { token: old });
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: AUTH_MESSAGES.unknownUser });
        expect((await t.get('/token/', { token: old })).body).to.deep.equal({ valid: 0 });
        // The new holder's own tokens work.
        expect((await t.get(`/user/${second.id}/`, { token: second.token })).status).to.equal(200);
      });

      it('a second word after the token is ignored, as cornflow reads the header (split on spaces)', async () => {
        const res = await t.get('/instance/', { headers: { Authorization: `Bearer ${fx.victim.token} trailing-words` } });
        expect(res.status).to.equal(200);
        const twoSpaces = await t.get('/instance/', { headers: { Authorization: `Bearer  ${fx.victim.token}` } });
        expect(twoSpaces.body).to.deep.equal({ error: AUTH_MESSAGES.badToken });
      });

      it('a token of 100 KB is refused by the HTTP server (431) before the application, nothing changes', async () => {
        const before = await snapshot(t.knex, tables);
        const huge = `${Buffer.from(JSON.stringify({ alg: 'HS256', pad: 'z'.repeat(100_000) })).toString('base64url')}.e30.sig`;
        for (const op of OPERATIONS.filter((o) => ['createInstance', 'deleteUser', 'listUsers', 'checkToken'].includes(o.operationId))) {
          const rep = representative(op, fx, 0);
          const res = await t.raw()[op.method](rep.url).set('Authorization', `Bearer ${huge}`).send(rep.json as object);
          expect(res.status, op.operationId).to.equal(431);
          expect(res.text).to.equal('');
        }
        expect(await snapshot(t.knex, tables)).to.equal(before);
      });

      it('control: the same requests with the real token of the impersonated user succeed', async function () {
        this.timeout(120_000);
        await controlPass(t, OPERATIONS, fx, fx.victim.token);
      });
    },
    () => ({
      SIGNUP_ACTIVATED: '2',
      CF_ALARMS_ENDPOINT: '1',
      CORNFLOW_LEGACY_URL: 'http://127.0.0.1:1',
      EXECUTION_FILES: '1',
      CORNFLOW_LOCAL_RUNNER: '0',
    }),
  );

  describe('with OpenID Connect (AUTH_TYPE=0)', () => {
    const idp = new TestOidcProvider();
    before(async () => {
      await idp.start();
    });
    after(async () => idp.stop());
    // One operation per kind of check: token only, any role (GET, POST with a body), admin only, a user's own
    // record, service routes.
    const SUBSET = ['checkToken', 'listInstances', 'createInstance', 'listUsers', 'getUser', 'getWorkerData', 'writeWorkerResults', 'deleteInstance'];

    forEachDatabase(
      'token attacks on provider tokens',
      (t) => {
        let fx: Fixtures;
        let tables: string[];
        let attacks: Attack[];
        let victim: TestUser;
        before(async function () {
          this.timeout(60_000);
          const token = await idp.sign({ sub: 'attack-victim' });
          const login = await expectStatus(await t.post('/login/', { body: {}, token }), 200, 'login');
          for (const role of [ROLES.admin, ROLES.service]) await addUserRole(t.knex, login.id, role);
          victim = { id: login.id, username: 'attack-victim', email: '', password: '', token };
          fx = await makeFixtures(t, victim, false);
          fx.target = victim;
          attacks = [
            ...(await providerAttacks({
              victim: victim.username,
              issuer: idp.issuer,
              audience: OIDC_AUDIENCE,
              sign: (claims, opts) => idp.sign(claims, opts),
              providerJwk: idp.key('RS256').privateJwk,
              providerKid: idp.key('RS256').kid,
              keys,
              bait,
              badToken: AUTH_MESSAGES.badTokenOidc,
            })),
            // The internal-token attacks too: in this mode they fall through to the provider's keys.
            ...internalAttacks({ victim: victim.username, secret: TEST_SECRET, ownToken: issueToken('someone', TEST_SECRET, 1), keys, bait, badToken: AUTH_MESSAGES.badTokenOidc }),
          ];
          tables = await listTables(t.knex);
        });

        for (const id of SUBSET) {
          it(`${id}: every attack on a provider token fails as cornflow answers, nothing changes`, async () => {
            const op = OPERATIONS.find((o) => o.operationId === id)!;
            await attackOperation(t, op, fx, attacks, tables);
            expect(bait.hits).to.deep.equal([]);
          });
        }

        it('an internal token issued before the account it names was created opens nothing here either', async () => {
          const old = issueToken(victim.username, TEST_SECRET, 24, Date.now() - 3_600_000);
          const res = await t.get('/instance/', { token: old });
          expect(res.status).to.equal(400);
          expect(res.body).to.deep.equal({ error: AUTH_MESSAGES.unknownUser });
          expect((await t.get('/instance/', { token: issueToken(victim.username, TEST_SECRET, 1) })).status).to.equal(200);
        });

        it('control: the same requests with the real provider token succeed', async () => {
          await controlPass(t, OPERATIONS.filter((o) => SUBSET.includes(o.operationId)), fx, victim.token);
        });
      },
      () => ({ AUTH_TYPE: '0', OID_PROVIDER: idp.issuer, OID_EXPECTED_AUDIENCE: OIDC_AUDIENCE, CORNFLOW_LOCAL_RUNNER: '0' }),
    );
  });
});

