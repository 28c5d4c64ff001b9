// Objects owned by a "victim" user, made for the object-level authorisation matrix (test/bola.test.ts).
// Every object carries a random marker in its names, data and logs, so a response that leaks any of it
// can be found by searching the response text for the marker.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { expect } from 'chai';
import type { TestApp, TestUser } from './app.js';
import { hashPassword } from '../../src/domain/users.js';
import { ROLES } from '../../src/domain/access-constants.js';
import { insertUser } from '../../src/storage/users.js';
import { insertUserRole } from '../../src/storage/roles.js';

/** The requesters of the matrix, in the column order of its expectation table. */
export const REQUESTERS = ['viewer', 'planner', 'admin', 'service', 'norole', 'idle'] as const;
export type Requester = (typeof REQUESTERS)[number];

export interface World {
  /** A planner who owns every object the matrix aims at. */
  victim: TestUser;
  /** viewer, planner (owns objects of its own), admin, service, a user without roles, a planner who owns nothing. */
  users: Record<Requester, TestUser>;
}

/** A row whose owner must stay the victim whatever anybody does to it. */
export interface Owned {
  table: 'instances' | 'executions' | 'cases';
  id: string | number;
}

export interface Target {
  /** Values of the operation's path parameters. */
  params: Record<string, string | number>;
  /** Strings of the victim's object that must not appear in a denied response. */
  secrets: string[];
  owned: Owned[];
  /** The token of whoever legitimately owns the object (the control request); the victim by default. */
  ownerToken?: string;
}

/** A random marker: letters that occur in no id, hash, date or message. */
export const mark = (): string => `zq${randomBytes(6).toString('hex')}`;

/** A PuLP model (solve_model_dag's instance and solution schema) tagged with a marker. */
export function model(tag: string) {
  return {
    parameters: { name: tag, sense: 1, status: 0, sol_status: 0 },
    sos1: [],
    sos2: [],
    objective: { name: `obj_${tag}`, coefficients: [{ name: 'x', value: 1 }] },
    constraints: [{ name: `c_${tag}`, sense: 1, pi: null, constant: -2, coefficients: [{ name: 'x', value: 1 }] }],
    variables: [{ name: 'x', lowBound: 0, upBound: null, cat: 'Continuous', varValue: null, dj: null }],
  };
}

function created(res: { status: number; text: string }, what: string): void {
  expect(res.status, `making ${what}: ${res.text}`).to.equal(201);
}

export async function victimInstance(t: TestApp, w: World): Promise<Target & { id: string }> {
  const m = mark();
  const res = await t.post('/instance/', { token: w.victim.token, body: { name: `inst_${m}`, description: `desc_${m}`, schema: 'solve_model_dag', data: model(`data_${m}`) } });
  created(res, 'an instance');
  const id = res.body.id as string;
  return { id, params: { idx: id }, secrets: [id, m, res.body.data_hash as string], owned: [{ table: 'instances', id }] };
}

/** An execution (not running: state −4) with a solution, a log and checks, on the victim's instance. */
export async function victimExecution(t: TestApp, w: World): Promise<Target & { id: string; instanceId: string }> {
  const inst = await victimInstance(t, w);
  const m = mark();
  const res = await t.post('/execution/', {
    token: w.victim.token,
    query: { run: 0 },
    body: { instance_id: inst.id, name: `exec_${m}`, description: `desc_${m}`, schema: 'solve_model_dag', config: { timeLimit: 60, logPath: m }, data: model(`sol_${m}`) },
  });
  created(res, 'an execution');
  const id = res.body.id as string;
  await t.knex('executions').where({ id }).update({
    log_text: `log_${m}`,
    log_json: JSON.stringify({ status: `status_${m}`, status_code: 1, sol_code: 1 }),
    checks: JSON.stringify({ check: `checks_${m}` }),
    kpis: JSON.stringify({ kpi: `kpis_${m}` }),
  });
  return {
    id,
    instanceId: inst.id,
    params: { idx: id },
    secrets: [...inst.secrets, id, m, res.body.data_hash as string],
    owned: [...inst.owned, { table: 'executions', id }],
  };
}

export async function victimCase(t: TestApp, w: World, opts: { dir?: boolean } = {}): Promise<Target & { id: number }> {
  const m = mark();
  const body = opts.dir
    ? { name: `dir_${m}`, description: `desc_${m}`, schema: 'solve_model_dag' }
    : { name: `case_${m}`, description: `desc_${m}`, schema: 'solve_model_dag', data: model(`data_${m}`), solution: model(`sol_${m}`) };
  const res = await t.post('/case/', { token: w.victim.token, body });
  created(res, 'a case');
  const id = Number(res.body.id);
  await t.knex('cases').where({ id }).update({ checks: JSON.stringify({ check: `checks_${m}` }), kpis: JSON.stringify({ kpi: `kpis_${m}` }) });
  const secrets = [m, res.body.solution_hash as string];
  if (!opts.dir) secrets.push(res.body.data_hash as string);
  return { id, params: { idx: id }, secrets, owned: [{ table: 'cases', id }] };
}

/** The victim's execution with execution files (status 1 and a zip holding a marker). */
export async function victimExecutionFiles(t: TestApp, w: World): Promise<Target> {
  const exec = await victimExecution(t, w);
  const m = mark();
  const zip = new AdmZip();
  zip.addFile('solution.txt', Buffer.from(`files_${m}`));
  const dir = t.deps.config.executionFiles.path;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${exec.id}.zip`), zip.toBuffer());
  await t.knex('executions').where({ id: exec.id }).update({ execution_files_status: 1 });
  return { ...exec, secrets: [...exec.secrets, m] };
}

const ACCOUNT_PASSWORD = 'Testpass1!';
let accountHash: Promise<string> | undefined;

/**
 * Another user's account: a planner with a marker in its names, written straight to the tables with one
 * bcrypt hash shared by all of them (bcrypt per account would dominate the run); logged in only for the
 * owner's control request.
 */
export async function victimAccount(t: TestApp, withToken = false): Promise<Target & { userId: number }> {
  const m = mark();
  const username = `acct_${m}`;
  const email = `acct_${m}@example.com`;
  accountHash ??= hashPassword(ACCOUNT_PASSWORD);
  const userId = await insertUser(t.knex, { username, email, password: await accountHash, first_name: `first_${m}`, last_name: `last_${m}` });
  await insertUserRole(t.knex, userId, ROLES.planner);
  return {
    userId,
    params: { user_id: userId },
    secrets: [username, email, m],
    owned: [],
    ownerToken: withToken ? await t.login(username, ACCOUNT_PASSWORD) : undefined,
  };
}

/** An app only the victim may use (a permission_dag row for the victim alone). */
export async function victimApp(t: TestApp, w: World): Promise<Target> {
  const m = mark();
  const id = `app_${m}`;
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const schema = JSON.stringify({ type: 'object', description: `schema_${m}` });
  await t.knex('deployed_workflows').insert({
    id,
    description: `desc_${m}`,
    instance_schema: schema,
    solution_schema: schema,
    config_schema: schema,
    instance_checks_schema: schema,
    solution_checks_schema: schema,
    kpis_schema: schema,
    created_at: now,
    updated_at: now,
  });
  await t.knex('permission_dag').insert({ dag_id: id, user_id: w.victim.id, created_at: now, updated_at: now });
  return { params: { dag_name: id, example_name: 'new_instance' }, secrets: [m], owned: [] };
}
