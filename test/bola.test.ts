// Broken object-level authorisation matrix (issue #11): every operation of the bundled spec whose path names
// an object × every kind of requester × an object that belongs to somebody else. Spec-driven: the operations
// come from generated/openapi.json (fuzzOperations), and an operation with a path parameter that the matrix
// below does not know fails the suite, so no route is silently skipped.
//
// For each (operation, requester): a fresh object of the victim (a planner), the request, then
//  - the status is the one in the table below;
//  - a denied answer (4xx) carries no marker, id or hash of the victim's object and changes nothing in the
//    database (every table snapshotted before and after);
//  - no answer ever carries a password hash, and an allowed edit leaves the victim the owner of the object;
//  - the object's owner (the control) gets a success on an object made the same way, so every denial above
//    is a denial of access, not of a broken request.
// The same for every id field of a request body (BODY_REFS: the id names the victim's object, the rest of the
// request is the requester's own). Then the lists: a planner's, a viewer's and an idle planner's lists never
// show the victim's objects, whatever the query parameters (each one the spec declares), while an admin's do.
// Last, the path matrix again under closed deployment for requesters who hold no app permission.
import { expect } from 'chai';
import { contract, forEachDatabase, type TestApp } from './support/app.js';
import { fuzzOperations, listTables, snapshot, type FuzzOperation } from './support/fuzz.js';
import {
  REQUESTERS,
  mark,
  model,
  victimAccount,
  victimApp,
  victimCase,
  victimExecution,
  victimExecutionFiles,
  victimInstance,
  type Requester,
  type Target,
  type World,
} from './support/bola.js';

/** Makes the object a request aims at; `who` is the requester (some targets are the requester's own object). */
type Make = (t: TestApp, w: World, who: Requester | 'owner') => Promise<Target & { body?: unknown }>;

interface Row {
  make: Make;
  /** Statuses in the column order of REQUESTERS: viewer, planner, admin, service, norole, idle. */
  expect: readonly [number, number, number, number, number, number];
  /** The status the object's owner gets (the control); undefined where the object has no owner. */
  owner?: number;
  body?: unknown;
  query?: Record<string, string>;
  /** A form body (application/x-www-form-urlencoded) instead of JSON. */
  form?: Record<string, string>;
}

// Objects without an owner (admin and service tooling, shared alarms).
async function newRole(t: TestApp): Promise<Target> {
  const m = mark();
  const [row] = await t.knex('roles').insert({ name: `role_${m}`, created_at: now(), updated_at: now() }).returning('id');
  return { params: { idx: idOf(row) }, secrets: [m], owned: [] };
}
const role: Make = (t) => newRole(t);
const permission: Make = async (t) => {
  const r = await newRole(t);
  const view = await t.knex('api_view').where({ name: 'instances-detail' }).first();
  const [row] = await t.knex('permission_view').insert({ action_id: 1, api_view_id: view.id, role_id: r.params.idx, created_at: now(), updated_at: now() }).returning('id');
  return { params: { idx: idOf(row) }, secrets: r.secrets, owned: [] };
};
const alarm: Make = async (t, w) => {
  const m = mark();
  const res = await t.post('/alarms/', { token: w.victim.token, body: { name: `alarm_${m}`, criticality: 1, description: `desc_${m}`, schema: 'solve_model_dag' } });
  expect(res.status, res.text).to.equal(201);
  return { params: { idx: res.body.id as number }, secrets: [m], owned: [] };
};
const deployedApp: Make = async (t, w) => {
  const app = await victimApp(t, w);
  return { ...app, params: { idx: app.params.dag_name! } };
};
// Another user's account (and its role assignment, its row in the users table); its owner is that user.
const account: Make = (t, _w, who) => victimAccount(t, who === 'owner');
const userRole: Make = async (t, _w, who) => {
  const acc = await victimAccount(t, who === 'owner');
  return { ...acc, params: { user_id: acc.params.user_id!, role_id: 2 } };
};
const makeAdminOf: Make = async (t, _w, who) => {
  const acc = await victimAccount(t, who === 'owner');
  return { ...acc, params: { user_id: acc.params.user_id!, make_admin: 1 } };
};
const usersTable: Make = async (t) => {
  const acc = await victimAccount(t);
  return { ...acc, params: { table_name: 'users' } };
};
const userRow: Make = async (t) => {
  const acc = await victimAccount(t);
  return { ...acc, params: { table_name: 'users', idx: acc.userId } };
};

const now = () => new Date().toISOString().replace('T', ' ').replace('Z', '');
const idOf = (row: unknown) => Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);

/** compare: the requester's own case first, the victim's second (both the victim's for the owner). */
const ownAndVictimCase: Make = async (t, w, who) => {
  const mine = await victimCase(t, w);
  await giveTo(t, w, who, mine);
  const theirs = await victimCase(t, w);
  return { params: { idx1: mine.id, idx2: theirs.id }, secrets: theirs.secrets, owned: theirs.owned };
};
const instance: Make = victimInstance;
const execution: Make = victimExecution;
const kase: Make = (t, w) => victimCase(t, w);
const caseData = { data_patch: [{ op: 'replace', path: '/parameters/sense', value: -1 }] };
const NO_RUN = { run: '0' };
const SCHEMAS = { instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} };

/**
 * The policy, one row per operation with a path parameter. Columns: viewer, planner (owns objects of its own),
 * admin, service, user without roles, planner who owns nothing; then the owner's own status.
 * cornflow's rules (cornflow-api.md §1, §2, §3.4): instances, executions and cases are [own] — another
 * non-privileged user gets 404, as if the object did not exist; admins and service users see all of them
 * (service has no case routes); creating a child object (instance data check) needs the parent's owner, even for
 * admins (403). Users: self or admin (another user's profile is cornflow's 400, an edit or delete 403).
 * Worker (/dag/…) routes are admin and service only, app-level routes need a permission_dag row (nobody but the
 * victim has one for the victim's app, not even admins), roles/permissions/user-roles are admin only, tables and
 * deployed apps service only. Alarms belong to nobody: every role with the permission reads and edits them.
 * 403 before the object is looked at means the role lacks the (method, view) permission.
 */
const MATRIX: Record<string, Row> = {
  //                                                              viewer planner admin service norole idle
  getUser:                 { make: account,              expect: [400, 400, 200, 400, 403, 400], owner: 200 },
  updateUser:              { make: account,              expect: [403, 403, 200, 403, 403, 403], owner: 200, body: { first_name: 'renamed' } },
  deleteUser:              { make: account,              expect: [403, 403, 200, 403, 403, 403], owner: 200 },
  toggleUserAdmin:         { make: makeAdminOf,          expect: [403, 403, 200, 403, 403, 403], owner: 403 },
  getUserRole:             { make: userRole,             expect: [403, 403, 200, 403, 403, 403], owner: 403 },
  deleteUserRole:          { make: userRole,             expect: [403, 403, 200, 403, 403, 403], owner: 403 },
  getRole:                 { make: role,                 expect: [403, 403, 200, 403, 403, 403] },
  updateRole:              { make: role,                 expect: [403, 403, 200, 403, 403, 403], body: { name: 'renamed' } },
  deleteRole:              { make: role,                 expect: [403, 403, 501, 403, 403, 403] },
  getPermission:           { make: permission,           expect: [403, 403, 200, 403, 403, 403] },
  updatePermission:        { make: permission,           expect: [403, 403, 200, 403, 403, 403], body: { action_id: 2 } },
  deletePermission:        { make: permission,           expect: [403, 403, 200, 403, 403, 403] },

  getInstance:             { make: instance,             expect: [404, 404, 200, 200, 403, 404], owner: 200 },
  updateInstance:          { make: instance,             expect: [403, 404, 200, 200, 403, 404], owner: 200, body: { name: 'renamed', data: model('renamed') } },
  deleteInstance:          { make: instance,             expect: [403, 404, 200, 200, 403, 404], owner: 200 },
  getInstanceData:         { make: instance,             expect: [404, 404, 200, 200, 403, 404], owner: 200 },

  getCase:                 { make: kase,                 expect: [404, 404, 200, 403, 403, 404], owner: 200 },
  updateCase:              { make: kase,                 expect: [403, 404, 200, 403, 403, 404], owner: 200, body: { name: 'renamed', parent_id: null } },
  deleteCase:              { make: kase,                 expect: [403, 404, 200, 403, 403, 404], owner: 200 },
  getCaseData:             { make: kase,                 expect: [404, 404, 200, 403, 403, 404], owner: 200 },
  updateCaseData:          { make: kase,                 expect: [403, 404, 200, 403, 403, 404], owner: 200, body: { name: 'renamed' } },
  patchCaseData:           { make: kase,                 expect: [403, 404, 200, 403, 403, 404], owner: 200, body: caseData },
  deleteCaseData:          { make: kase,                 expect: [403, 404, 200, 403, 403, 404], owner: 200 },
  copyCase:                { make: kase,                 expect: [403, 404, 201, 403, 403, 404], owner: 201 },
  createInstanceFromCase:  { make: kase,                 expect: [403, 404, 201, 403, 403, 404], owner: 201 },
  compareCases:            { make: ownAndVictimCase,     expect: [404, 404, 200, 403, 403, 404], owner: 200 },

  getExecution:            { make: execution,            expect: [404, 404, 200, 200, 403, 404], owner: 200 },
  updateExecution:         { make: execution,            expect: [403, 404, 200, 200, 403, 404], owner: 200, body: { name: 'renamed', data: model('renamed') } },
  stopExecution:           { make: execution,            expect: [403, 404, 200, 200, 403, 404], owner: 200 },
  deleteExecution:         { make: execution,            expect: [403, 404, 200, 200, 403, 404], owner: 200 },
  getExecutionStatus:      { make: execution,            expect: [404, 404, 200, 200, 403, 404], owner: 200 },
  updateExecutionStatus:   { make: execution,            expect: [403, 404, 200, 200, 403, 404], owner: 200, body: { status: 1 } },
  getExecutionData:        { make: execution,            expect: [404, 404, 200, 200, 403, 404], owner: 200 },
  getExecutionLog:         { make: execution,            expect: [404, 404, 200, 200, 403, 404], owner: 200 },
  relaunchExecution:       { make: execution,            expect: [403, 404, 201, 201, 403, 404], owner: 201, body: { config: { timeLimit: 5 } }, query: NO_RUN },
  downloadExecutionFiles:  { make: victimExecutionFiles, expect: [404, 404, 200, 200, 403, 404], owner: 200 },
  // The worker's upload (service only): a service user writes any execution's files, as the worker must.
  uploadExecutionFiles:    { make: execution,            expect: [403, 403, 403, 200, 403, 403], form: { execution_files_status: '-1' } },

  dataCheckKpisExecution:  { make: execution,            expect: [403, 404, 201, 403, 403, 404], owner: 201, query: NO_RUN },
  dataCheckExecution:      { make: execution,            expect: [403, 404, 201, 403, 403, 404], owner: 201, query: NO_RUN },
  dataCheckKpisInstance:   { make: instance,             expect: [403, 404, 403, 403, 403, 404], owner: 201, query: NO_RUN },
  dataCheckInstance:       { make: instance,             expect: [403, 404, 403, 403, 403, 404], owner: 201, query: NO_RUN },
  dataCheckKpisCase:       { make: kase,                 expect: [403, 404, 201, 403, 403, 404], owner: 201, query: NO_RUN },
  dataCheckCase:           { make: kase,                 expect: [403, 404, 201, 403, 403, 404], owner: 201, query: NO_RUN },

  // Worker callbacks: admins and service users only, on any execution/instance/case (the worker is a service user).
  getWorkerData:           { make: execution,            expect: [403, 403, 200, 200, 403, 403], owner: 403 },
  writeWorkerResults:      { make: execution,            expect: [403, 403, 200, 200, 403, 403], owner: 403, body: { state: 1, log_text: 'rewritten' } },
  writeInstanceChecks:     { make: instance,             expect: [403, 403, 200, 200, 403, 403], owner: 403, body: { checks: { rewritten: true } } },
  writeCaseChecks:         { make: kase,                 expect: [403, 403, 200, 200, 403, 403], owner: 403, body: { checks: { rewritten: true } } },

  // Apps: the victim alone has a permission_dag row for the victim's app.
  getSchema:               { make: victimApp,            expect: [403, 403, 403, 403, 403, 403], owner: 200 },
  listExamples:            { make: victimApp,            expect: [403, 403, 403, 403, 403, 403], owner: 200 },
  getExample:              { make: victimApp,            expect: [403, 403, 403, 403, 403, 403], owner: 404 },
  updateDeployedDag:       { make: deployedApp,          expect: [403, 403, 403, 200, 403, 403], body: SCHEMAS },

  // Raw tables: service only; it sees every row by design, but never a password hash (checked on every answer).
  listTableRows:           { make: usersTable,           expect: [403, 403, 403, 200, 403, 403] },
  getTableRow:             { make: userRow,              expect: [403, 403, 403, 200, 403, 403] },

  // Alarms have no owner: read by every role, changed by every role that may write.
  getAlarm:                { make: alarm,                expect: [200, 200, 200, 200, 403, 200] },
  updateAlarm:             { make: alarm,                expect: [403, 200, 200, 200, 403, 200], body: { name: 'renamed' } },
  deleteAlarm:             { make: alarm,                expect: [403, 200, 200, 200, 403, 200] },
};

/** Every request sent by the matrix, checked the same way. */
interface Outcome {
  status: number;
  text: string;
}

async function send(t: TestApp, op: FuzzOperation, target: Target & { body?: unknown }, row: Row, token: string): Promise<Outcome> {
  let url = op.path;
  for (const p of op.pathParams) {
    expect(target.params, `${op.operationId}: the maker gives no value for {${p}}`).to.have.property(p);
    url = url.replace(`{${p}}`, encodeURIComponent(String(target.params[p])));
  }
  if (row.form) {
    let req = t.raw()[op.method as 'post'](url).set('Authorization', `Bearer ${token}`);
    if (row.query) req = req.query(row.query);
    const res = await req.type('form').send(row.form);
    contract.check(op.method, url, res);
    return { status: res.status, text: res.text ?? '' };
  }
  const res = await t.call(op.method as 'get', url, { token, body: target.body ?? row.body, query: row.query });
  return { status: res.status, text: res.text ?? (Buffer.isBuffer(res.body) ? res.body.toString('latin1') : '') };
}

const MATRIX_ENV = () => ({ CF_ALARMS_ENDPOINT: '1', EXECUTION_FILES: '1', CORNFLOW_LOCAL_RUNNER: '0' });

async function makeWorld(t: TestApp): Promise<World> {
  const victim = await t.user('planner');
  const users = {
    viewer: await t.user('viewer'),
    planner: await t.user('planner'),
    admin: await t.user('admin'),
    service: await t.user('service'),
    norole: await t.user(null),
    idle: await t.user('planner'),
  } satisfies Record<Requester, unknown>;
  // The planner has objects of its own (an instance with an execution, a case), so "not mine" is told apart from "nothing".
  const own = await t.post('/instance/', { token: users.planner.token, body: { name: 'mine', schema: 'solve_model_dag', data: model('mine') } });
  await t.post('/execution/', { token: users.planner.token, query: NO_RUN, body: { instance_id: own.body.id, name: 'mine', config: {} } });
  await t.post('/case/', { token: users.planner.token, body: { name: 'mine', schema: 'solve_model_dag', data: model('mine') } });
  return { victim, users };
}

/** Password hashes: never in any answer. */
async function passwordHashes(t: TestApp): Promise<string[]> {
  return (await t.knex('users').select('password')).map((r) => r.password as string).filter(Boolean);
}

function noneOf(text: string, secrets: string[], where: string): void {
  for (const s of secrets) expect(text.includes(s), `${where} leaks ${s}: ${text.slice(0, 400)}`).to.equal(false);
}

async function ownersKept(t: TestApp, w: World, target: Target, where: string): Promise<void> {
  for (const o of target.owned) {
    const row = await t.knex(o.table).where({ id: o.id }).first();
    if (row) expect(Number(row.user_id), `${where}: ${o.table} ${o.id} changed owner`).to.equal(w.victim.id);
  }
}

/** Runs one row: each requester (or those given) on a fresh object, then the owner's control request. */
async function runRow(t: TestApp, w: World, tables: string[], op: FuzzOperation, row: Row, only?: readonly Requester[]): Promise<void> {
  for (const [i, who] of REQUESTERS.entries()) {
    if (only && !only.includes(who)) continue;
    const target = await row.make(t, w, who);
    const where = `${op.operationId} as ${who}`;
    const before = await snapshot(t.knex, tables);
    const res = await send(t, op, target, row, w.users[who].token);
    expect(res.status, `${where}: ${res.text.slice(0, 300)}`).to.equal(row.expect[i]);
    noneOf(res.text, await passwordHashes(t), where);
    if (res.status >= 400) {
      noneOf(res.text, target.secrets, where);
      expect(await snapshot(t.knex, tables), `${where} → ${res.status} changed the database`).to.equal(before);
    } else {
      await ownersKept(t, w, target, where);
    }
  }
  if (row.owner !== undefined && !only) {
    const target = await row.make(t, w, 'owner');
    const res = await send(t, op, target, row, target.ownerToken ?? w.victim.token);
    expect(res.status, `${op.operationId} as the owner: ${res.text.slice(0, 300)}`).to.equal(row.owner);
  }
}

const tokenOf = (w: World, who: Requester | 'owner') => (who === 'owner' ? w.victim : w.users[who]);

/** A copy of a victim's object handed to the requester (so it is the requester's own). */
async function giveTo(t: TestApp, w: World, who: Requester | 'owner', target: Target): Promise<void> {
  for (const o of target.owned) await t.knex(o.table).where({ id: o.id }).update({ user_id: tokenOf(w, who).id });
}

type MakeObject = (t: TestApp, w: World) => Promise<Target & { id: string | number }>;
const ownCase: MakeObject = (t, w) => victimCase(t, w);
const victimDir: MakeObject = (t, w) => victimCase(t, w, { dir: true });

/**
 * An update of the requester's own object (made as the victim's, then handed over) whose body `field` names
 * the victim's object; the target is the victim's object.
 */
function reattach(makeOwn: MakeObject, makeVictims: MakeObject, field: string): Make {
  return async (t, w, who) => {
    const mine = await makeOwn(t, w);
    await giveTo(t, w, who, mine);
    const theirs = await makeVictims(t, w);
    return { ...theirs, params: { idx: mine.id }, body: { [field]: theirs.id } };
  };
}

/**
 * Ids inside request bodies. Every body property of the spec named `id`, `*_id` or `id_*` is listed: either a
 * row (the id names the victim's object; columns as in MATRIX) or why it names no object of another user.
 */
const BODY_REFS: Record<string, Row | string> = {
  // cornflow's parent rule for a new execution: the instance's owner only, even for admins (403).
  'createExecution.instance_id': {
    make: async (t, w) => {
      const inst = await victimInstance(t, w);
      return { ...inst, params: {}, body: { instance_id: inst.id, name: 'ref', schema: 'solve_model_dag', config: {} } };
    },
    expect: [403, 403, 403, 403, 403, 403], owner: 201, query: NO_RUN,
  },
  // A manual execution (POST /dag/) on an instance the requester cannot see is refused as for a missing instance.
  'createManualExecution.instance_id': {
    make: async (t, w) => {
      const inst = await victimInstance(t, w);
      return { ...inst, params: {}, body: { instance_id: inst.id, name: 'ref', config: {} } };
    },
    expect: [403, 400, 201, 201, 403, 400], owner: 201,
  },
  'createCase.parent_id': {
    make: async (t, w) => {
      const dir = await victimCase(t, w, { dir: true });
      return { ...dir, params: {}, body: { name: 'ref', schema: 'solve_model_dag', parent_id: dir.id } };
    },
    expect: [403, 404, 201, 403, 403, 404], owner: 201,
  },
  'createCaseFromInstance.instance_id': {
    make: async (t, w) => {
      const inst = await victimInstance(t, w);
      return { ...inst, params: {}, body: { name: 'ref', schema: 'solve_model_dag', instance_id: inst.id } };
    },
    expect: [403, 404, 201, 403, 403, 404], owner: 201,
  },
  'createCaseFromInstance.execution_id': {
    make: async (t, w) => {
      const exec = await victimExecution(t, w);
      return { ...exec, params: {}, body: { name: 'ref', schema: 'solve_model_dag', execution_id: exec.id } };
    },
    expect: [403, 404, 201, 403, 403, 404], owner: 201,
  },
  // The requester's own instance, put under the victim's directory.
  'createCaseFromInstance.parent_id': {
    make: async (t, w, who) => {
      const mine = await victimInstance(t, w);
      await giveTo(t, w, who, mine);
      const dir = await victimCase(t, w, { dir: true });
      return { ...dir, params: {}, body: { name: 'ref', schema: 'solve_model_dag', instance_id: mine.id, parent_id: dir.id } };
    },
    expect: [403, 404, 201, 403, 403, 404], owner: 201,
  },
  // The requester's own case, moved under the victim's directory.
  'updateCase.parent_id': { make: reattach(ownCase, victimDir, 'parent_id'), expect: [403, 404, 200, 403, 403, 404], owner: 200 },
  'updateCaseData.parent_id': { make: reattach(ownCase, victimDir, 'parent_id'), expect: [403, 404, 200, 403, 403, 404], owner: 200 },
  // The requester's own execution, re-attached to the victim's instance.
  'updateExecution.instance_id': { make: reattach(victimExecution, victimInstance, 'instance_id'), expect: [403, 404, 200, 200, 403, 404], owner: 200 },
  'createUserRole.user_id': 'admin only (user-roles POST): assigning roles to any user is the admin tooling',
  'createUserRole.role_id': 'admin only (user-roles POST); roles belong to nobody',
  'updateRole.id': 'admin only; roles belong to nobody',
  'createPermission.action_id': 'admin only; actions belong to nobody',
  'createPermission.role_id': 'admin only; roles belong to nobody',
  'createPermission.api_view_id': 'admin only; views belong to nobody',
  'updatePermission.action_id': 'admin only; actions belong to nobody',
  'updatePermission.role_id': 'admin only; roles belong to nobody',
  'updatePermission.api_view_id': 'admin only; views belong to nobody',
  'createDeployedDag.id': 'service only; the id names the app being created',
  'createMainAlarm.id_alarm': 'alarms belong to nobody (every role reads them)',
  'updateExecutionStatus.id': 'ignored, as in cornflow: the path names the execution (covered by MATRIX)',
};

function bodyIdFields(op: FuzzOperation): string[] {
  return Object.keys((op.body?.properties as object | undefined) ?? {}).filter((p) => p === 'id' || /_id$/.test(p) || /^id_/.test(p));
}

// ---------------------------------------------------------------------------------------------------------
// Lists: every GET without a path id is classified; the owned ones are searched for the victim's objects.

type ListKind = 'owned' | 'admin' | 'service' | 'shared' | 'none';
const LISTS: Record<string, ListKind> = {
  listInstances: 'owned',
  listExecutions: 'owned',
  listCases: 'owned',
  listUserRoles: 'owned', // non-admins: their own assignments only
  listSchemas: 'owned', // the apps the user has a permission_dag row for
  listUsers: 'admin',
  listRoles: 'admin',
  listActions: 'admin',
  listPermissions: 'admin',
  listApiViews: 'admin',
  listForwarded: 'admin',
  listDeployedDags: 'service',
  listAlarms: 'shared',
  listMainAlarms: 'shared',
  listLicences: 'none',
  checkToken: 'none',
  getHealth: 'none',
};

interface Victims {
  instance: string;
  instanceName: string;
  execution: string;
  checkExecution: string;
  caseId: number;
  caseName: string;
  app: string;
  secrets: string[];
}

/** Query values aimed at the victim's objects, per query parameter of the spec (an unknown one fails). */
function queryValues(param: string, v: Victims, path: string): string[] {
  const forCases = path.startsWith('/case/');
  const values: Record<string, string[]> = {
    limit: ['1000', '1', '0'],
    offset: ['0', '1', '2', '5'],
    schema: ['solve_model_dag'],
    id: forCases ? [String(v.caseId)] : [v.instance],
    name: forCases ? [v.caseName] : [v.instanceName],
    creation_date_gte: ['2000-01-01T00:00:00'],
    creation_date_lte: ['2099-01-01T00:00:00'],
    update_date_gte: ['2000-01-01T00:00:00'],
    update_date_lte: ['2099-01-01T00:00:00'],
    deletion_date_gte: ['2000-01-01T00:00:00'],
    deletion_date_lte: ['2099-01-01T00:00:00'],
    checks_and_kpis: ['true', 'false'],
  };
  expect(values, `no values for the query parameter ${param} of ${path}: add them to queryValues`).to.have.property(param);
  return values[param]!;
}

/** The query strings to try: none, each value alone, and everything that matches at once. */
function queries(op: FuzzOperation, v: Victims): Record<string, string>[] {
  const out: Record<string, string>[] = [{}];
  for (const q of op.query) for (const value of queryValues(q.name, v, op.path)) out.push({ [q.name]: value });
  const names = op.query.map((q) => q.name);
  const all: Record<string, string> = {};
  for (const n of names) if (!n.startsWith('deletion') && n !== 'offset') all[n] = queryValues(n, v, op.path)[0]!;
  if (names.length) out.push(all);
  return out;
}

/** Does an item of a list belong to the victim? */
function victimsItem(op: string, item: Record<string, unknown>, w: World, v: Victims): boolean {
  if (op === 'listSchemas') return item.name === v.app;
  return Number(item.user_id) === w.victim.id;
}

forEachDatabase(
  'object-level authorisation matrix',
  (t) => {
    let w: World;
    let tables: string[];
    const withIds = () => fuzzOperations(contract.spec).filter((op) => op.pathParams.length > 0);

    before(async function () {
      this.timeout(60_000);
      w = await makeWorld(t);
      tables = await listTables(t.knex);
    });

    it('knows every operation of the spec that takes an object id in its path (and no other)', () => {
      const ids = withIds().map((op) => op.operationId).sort();
      expect(ids.length).to.be.greaterThan(40);
      const unknown = ids.filter((id) => !(id in MATRIX));
      expect(unknown, 'operations with a path id the matrix cannot make an object for: add a row to MATRIX').to.deep.equal([]);
      expect(Object.keys(MATRIX).sort()).to.deep.equal(ids);
    });

    it('knows every id field of every request body (and no other)', () => {
      const fields = fuzzOperations(contract.spec).flatMap((op) => bodyIdFields(op).map((f) => `${op.operationId}.${f}`)).sort();
      expect(fields.length).to.be.greaterThan(10);
      expect(Object.keys(BODY_REFS).sort(), 'body id fields the matrix does not know: add them to BODY_REFS').to.deep.equal(fields);
    });

    it('knows every list (GET without a path id) and what it may show', () => {
      const lists = fuzzOperations(contract.spec).filter((op) => op.method === 'get' && op.pathParams.length === 0).map((op) => op.operationId).sort();
      expect(Object.keys(LISTS).sort(), 'lists the matrix does not classify: add them to LISTS').to.deep.equal(lists);
    });

    for (const op of fuzzOperations(contract.spec).filter((o) => o.pathParams.length > 0)) {
      const row = MATRIX[op.operationId];
      if (!row) continue; // reported by the test above
      it(`${op.operationId} (${op.method.toUpperCase()} ${op.path}) on another user's object: ${REQUESTERS.map((r, i) => `${r} ${row.expect[i]}`).join(', ')}`, async function () {
        this.timeout(120_000);
        await runRow(t, w, tables, op, row);
      });
    }

    for (const op of fuzzOperations(contract.spec)) {
      for (const field of bodyIdFields(op)) {
        const row = BODY_REFS[`${op.operationId}.${field}`];
        if (!row || typeof row === 'string') continue;
        it(`${op.operationId} with another user's object in ${field}: ${REQUESTERS.map((r, i) => `${r} ${row.expect[i]}`).join(', ')}`, async function () {
          this.timeout(120_000);
          await runRow(t, w, tables, op, row);
        });
      }
    }

    describe('lists never show another user’s objects', () => {
      let v: Victims;
      let rows: number;
      before(async function () {
        this.timeout(60_000);
        const exec = await victimExecution(t, w);
        const check = await t.post(`/data-check-kpis/instance/${exec.instanceId}/`, { token: w.victim.token, query: NO_RUN });
        expect(check.status, check.text).to.equal(201);
        const c = await victimCase(t, w);
        const app = await victimApp(t, w);
        const inst = await t.knex('instances').where({ id: exec.instanceId }).first();
        const kase = await t.knex('cases').where({ id: c.id }).first();
        v = {
          instance: exec.instanceId,
          instanceName: inst.name,
          execution: exec.id,
          checkExecution: check.body.id,
          caseId: c.id,
          caseName: kase.name,
          app: app.params.dag_name as string,
          secrets: [...exec.secrets, ...c.secrets, ...app.secrets, check.body.id],
        };
        const counts = await Promise.all(['instances', 'executions', 'cases'].map(async (tb) => Number((await t.knex(tb).count({ n: '*' }).first())!.n)));
        rows = Math.max(...counts);
      });

      for (const op of fuzzOperations(contract.spec).filter((o) => o.method === 'get' && o.pathParams.length === 0)) {
        const kind = LISTS[op.operationId];
        if (kind !== 'owned') continue;
        it(`${op.operationId} (GET ${op.path}) for viewer, planner, idle planner: never the victim's; admin: the victim's too; no role: 403`, async function () {
          this.timeout(120_000);
          let adminSaw = false;
          for (const query of queries(op, v)) {
            for (const who of ['viewer', 'planner', 'idle', 'admin', 'norole'] as const) {
              const res = await t.get(op.path, { token: w.users[who].token, query });
              const where = `${op.operationId}?${new URLSearchParams(query)} as ${who}`;
              if (who === 'norole') {
                expect(res.status, where).to.equal(403);
                noneOf(res.text, v.secrets, where);
                continue;
              }
              expect(res.status, `${where}: ${res.text.slice(0, 300)}`).to.equal(200);
              const items = res.body as Record<string, unknown>[];
              const theirs = items.filter((item) => victimsItem(op.operationId, item, w, v));
              if (who === 'admin') {
                if (theirs.length) adminSaw = true;
                continue;
              }
              expect(theirs, `${where} shows the victim's objects`).to.deep.equal([]);
              noneOf(res.text, v.secrets, where);
              noneOf(res.text, await passwordHashes(t), where);
            }
          }
          // Page by page (limit 1) through everything each of them may see, and a little past the end.
          const names = op.query.map((q) => q.name);
          if (names.includes('limit') && names.includes('offset')) {
            for (const who of ['viewer', 'planner', 'idle'] as const) {
              for (let offset = 0, empty = 0; empty < 3 && offset <= rows + 3; offset++) {
                const query = { limit: '1', offset: String(offset), ...(names.includes('checks_and_kpis') ? { checks_and_kpis: 'true' } : {}) };
                const res = await t.get(op.path, { token: w.users[who].token, query });
                const where = `${op.operationId}?${new URLSearchParams(query)} as ${who}`;
                expect(res.status, where).to.equal(200);
                if ((res.body as unknown[]).length === 0) empty += 1;
                expect((res.body as Record<string, unknown>[]).filter((item) => victimsItem(op.operationId, item, w, v)), where).to.deep.equal([]);
                noneOf(res.text, v.secrets, where);
              }
            }
          }
          // The queries did aim at the victim's objects: an admin (who may see them) got them.
          if (op.operationId !== 'listSchemas') expect(adminSaw, `${op.operationId}: no query showed the victim's objects even to an admin`).to.equal(true);
        });
      }

      it('the other lists: admin-only and service-only lists refuse the other roles (403)', async function () {
        this.timeout(60_000);
        for (const op of fuzzOperations(contract.spec).filter((o) => o.method === 'get' && o.pathParams.length === 0)) {
          const kind = LISTS[op.operationId];
          if (kind !== 'admin' && kind !== 'service') continue;
          for (const who of REQUESTERS) {
            const allowed = who === kind;
            const res = await t.get(op.path, { token: w.users[who].token });
            const where = `${op.operationId} as ${who}`;
            // /legacy/forwarded/ exists only with CORNFLOW_LEGACY_URL: 404 for everybody here.
            if (op.operationId === 'listForwarded') expect(res.status, where).to.be.oneOf([403, 404]);
            else if (allowed) expect(res.status, `${where}: ${res.text.slice(0, 200)}`).to.equal(200);
            else expect(res.status, where).to.equal(403);
            if (res.status >= 400) noneOf(res.text, v.secrets, where);
            noneOf(res.text, await passwordHashes(t), where);
          }
        }
      });
    });
  },
  MATRIX_ENV,
);

// Closed deployment (OPEN_DEPLOYMENT=0) and requesters without any app permission (no permission_dag row):
// the [dagperm] check must not tell a foreign object from a missing one either, so the same statuses (404 where
// the object is hidden). Admins and service users keep their app permissions and are covered above.
forEachDatabase(
  'object-level authorisation matrix (closed deployment, requesters without app permissions)',
  (t) => {
    let w: World;
    let tables: string[];
    const UNPRIVILEGED = ['viewer', 'planner', 'norole', 'idle'] as const;

    before(async function () {
      this.timeout(60_000);
      w = await makeWorld(t);
      await t.knex('permission_dag').whereIn('user_id', UNPRIVILEGED.map((who) => w.users[who].id)).delete();
      tables = await listTables(t.knex);
    });

    for (const op of fuzzOperations(contract.spec).filter((o) => o.pathParams.length > 0)) {
      const row = MATRIX[op.operationId];
      if (!row) continue;
      it(`${op.operationId} (${op.method.toUpperCase()} ${op.path}): ${UNPRIVILEGED.map((r) => `${r} ${row.expect[REQUESTERS.indexOf(r)]}`).join(', ')}`, async function () {
        this.timeout(120_000);
        await runRow(t, w, tables, op, row, UNPRIVILEGED);
      });
    }
  },
  () => ({ ...MATRIX_ENV(), OPEN_DEPLOYMENT: '0' }),
);
