// A database as the Flask cornflow leaves it: the schema of its final Alembic revision (4729cd156460), written
// as SQLAlchemy emits it on each dialect (PostgreSQL's own constraint names such as instances_user_id_fkey,
// SERIAL ids, JSON not JSONB; SQLite's DATETIME/JSON affinities), an alembic_version row, and rows written the
// way cornflow writes them (bcrypt $2b$ hashes, naive "YYYY-MM-DD HH:MM:SS.ffffff" timestamps, JSON as Python's
// json.dumps text, sha1 ids over str(created_at)). No cornflow-ts code creates any of it.
import { createHash } from 'node:crypto';
import { hash } from '@node-rs/bcrypt';
import type { Knex } from 'knex';
import { dataHash, dataHashOfText } from '../../src/domain/json-hash.js';

export const ALEMBIC_HEAD = '4729cd156460';

type Dialect = 'pg' | 'sqlite';

function ddl(d: Dialect): string[] {
  const ts = d === 'pg' ? 'TIMESTAMP WITHOUT TIME ZONE' : 'DATETIME';
  const serial = d === 'pg' ? 'SERIAL NOT NULL' : 'INTEGER NOT NULL';
  const float = d === 'pg' ? 'DOUBLE PRECISION' : 'FLOAT';
  const trace = `created_at ${ts} NOT NULL, updated_at ${ts} NOT NULL, deleted_at ${ts}`;
  const data = 'data JSON, checks JSON, name VARCHAR(256) NOT NULL, description TEXT, data_hash VARCHAR(256) NOT NULL, schema VARCHAR(256), user_id INTEGER NOT NULL';
  // PostgreSQL names unnamed constraints <table>_<cols>_fkey/_key/_pkey; SQLite keeps them unnamed.
  const fk = (table: string, col: string, ref: string) =>
    `${d === 'pg' ? `CONSTRAINT ${table}_${col}_fkey ` : ''}FOREIGN KEY(${col}) REFERENCES ${ref}`;
  const uq = (table: string, cols: string[], name?: string) =>
    `${name || d === 'pg' ? `CONSTRAINT ${name ?? `${table}_${cols.join('_')}_key`} ` : ''}UNIQUE (${cols.join(', ')})`;
  const pk = (name: string, col = 'id') => `${d === 'pg' ? `CONSTRAINT ${name} ` : ''}PRIMARY KEY (${col})`;
  return [
    `CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`,
    `CREATE TABLE users (${trace}, id ${serial}, email VARCHAR(128) NOT NULL, password VARCHAR(128), last_name VARCHAR(128), username VARCHAR(128) NOT NULL, first_name VARCHAR(128), pwd_last_change ${ts}, ${pk('users_pkey')}, ${uq('users', ['email'])}, ${uq('users', ['username'], 'c_unique_users_username')})`,
    `CREATE TABLE instances (${trace}, id VARCHAR(256) NOT NULL, ${data}, ${pk('instances_pkey')}, ${fk('instances', 'user_id', 'users (id)')})`,
    `CREATE TABLE executions (${trace}, id VARCHAR(256) NOT NULL, instance_id VARCHAR(256) NOT NULL, config JSON NOT NULL, run_id VARCHAR(256), log_text TEXT, log_json JSON, state SMALLINT DEFAULT '0' NOT NULL, state_message TEXT, ${data}, kpis JSON, last_run_checks_and_kpis BOOLEAN, checks_and_kpis_only BOOLEAN, execution_files_status SMALLINT NOT NULL, ${pk('executions_pkey')}, ${fk('executions', 'instance_id', 'instances (id)')}, ${fk('executions', 'user_id', 'users (id)')})`,
    `CREATE TABLE cases (${trace}, ${data}, id ${serial}, path VARCHAR(500) NOT NULL, solution JSON, solution_hash VARCHAR(256) NOT NULL, solution_checks JSON, kpis JSON, ${pk('cases_pkey')}, ${fk('cases', 'user_id', 'users (id)')})`,
    `CREATE INDEX ix_cases_path ON cases (path)`,
    `CREATE TABLE actions (id ${serial}, name VARCHAR(128) NOT NULL, ${pk('actions_pkey')}, ${uq('actions', ['name'])})`,
    `CREATE TABLE api_view (id ${serial}, name VARCHAR(128) NOT NULL, url_rule VARCHAR(128) NOT NULL, description TEXT, ${pk('api_view_pkey')}, ${uq('api_view', ['name'])})`,
    `CREATE TABLE roles (${trace}, id ${serial}, name VARCHAR(128) NOT NULL, ${pk('roles_pkey')})`,
    `CREATE TABLE permission_view (${trace}, id ${serial}, action_id INTEGER NOT NULL, api_view_id INTEGER NOT NULL, role_id INTEGER NOT NULL, ${pk('permission_view_pkey')}, ${fk('permission_view', 'action_id', 'actions (id)')}, ${fk('permission_view', 'api_view_id', 'api_view (id)')}, ${fk('permission_view', 'role_id', 'roles (id)')}, ${uq('permission_view', ['action_id', 'api_view_id', 'role_id'])})`,
    `CREATE TABLE user_role (${trace}, id ${serial}, user_id INTEGER NOT NULL, role_id INTEGER NOT NULL, ${pk('user_role_pkey')}, ${fk('user_role', 'role_id', 'roles (id)')}, ${fk('user_role', 'user_id', 'users (id)')}, ${uq('user_role', ['user_id', 'role_id'], 'c_unique_user_role_user_id_role_id')})`,
    // Created as deployed_dags, renamed by cef1df240b27: PostgreSQL keeps the old constraint names.
    `CREATE TABLE deployed_workflows (${trace}, id VARCHAR(128) NOT NULL, description TEXT, instance_schema JSON, solution_schema JSON, config_schema JSON, instance_checks_schema JSON, solution_checks_schema JSON, kpis_schema JSON, ${pk('deployed_dags_pkey')})`,
    `CREATE TABLE permission_dag (${trace}, id ${serial}, dag_id VARCHAR(128) NOT NULL, user_id INTEGER NOT NULL, ${pk('permission_dag_pkey')}, ${fk('permission_dag', 'dag_id', 'deployed_workflows (id)')}, ${fk('permission_dag', 'user_id', 'users (id)')}, ${uq('permission_dag', ['dag_id', 'user_id'])})`,
    `CREATE TABLE alarms (${trace}, id ${serial}, name VARCHAR(256) NOT NULL, criticality ${float} NOT NULL, description TEXT NOT NULL, schema VARCHAR(256), ${pk('alarms_pkey')})`,
    `CREATE TABLE main_alarms (${trace}, id ${serial}, id_alarm INTEGER NOT NULL, criticality ${float} NOT NULL, message TEXT NOT NULL, schema VARCHAR(256), ${pk('main_alarms_pkey')}, ${fk('main_alarms', 'id_alarm', 'alarms (id)')})`,
  ];
}

/** Python's json.dumps(value) with its default separators (", " and ": ") and ensure_ascii, as SQLAlchemy stores JSON. */
export function pyJson(value: unknown): string {
  const esc = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const dump = (v: unknown): string => {
    if (v === null) return 'null';
    if (Array.isArray(v)) return `[${v.map(dump).join(', ')}]`;
    if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${esc(k)}: ${dump(x)}`).join(', ')}}`;
    if (typeof v === 'string') return esc(v);
    return String(v);
  };
  return dump(value);
}

/** str() of the tz-aware creation time (what cornflow hashes into ids) from the stored naive text. */
const pyStr = (stored: string) => `${stored.endsWith('.000000') ? stored.slice(0, -7) : stored}+00:00`;
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

export interface LegacyUser {
  id: number;
  username: string;
  email: string;
  password: string;
  roles: number[];
}
export interface LegacyInstance {
  id: string;
  user_id: number;
  name: string;
  data: unknown;
  data_hash: string;
  schema: string;
  created_at: string;
}
export interface LegacyExecution {
  id: string;
  instance_id: string;
  user_id: number;
  state: number;
  data_hash: string;
  name: string;
  data: unknown;
  config: unknown;
}
export interface LegacyCase {
  id: number;
  path: string;
  user_id: number;
  data_hash: string;
  name: string;
  data: unknown;
  solution: unknown;
  solution_hash: string;
}

export interface LegacyFixture {
  users: LegacyUser[];
  instances: LegacyInstance[];
  executions: LegacyExecution[];
  cases: LegacyCase[];
  apps: string[];
  /** user id → DAG ids granted (permission_dag). */
  dagPermissions: Record<number, string[]>;
}

const ROLE_NAMES: Record<number, string> = { 0: 'dummy', 1: 'viewer', 2: 'planner', 3: 'admin', 4: 'service' };

/** The (role, action) a few views grant, as cornflow's access_init leaves them (enough for these tests). */
const VIEWS: [string, string, number[]][] = [
  ['instance', '/instance/', [1, 2, 3, 4]],
  ['instances-detail', '/instance/<string:idx>/', [1, 2, 3, 4]],
  ['instances-data', '/instance/<string:idx>/data/', [1, 2, 3, 4]],
  ['login', '/login/', [1, 2, 3, 4]],
  ['deployed-dags', '/dag/deployed/', [3, 4]],
  // A view of an external app, served only by the Flask server.
  ['my-report', '/my-app/report/', [1, 2, 3, 4]],
];

/** Creates cornflow's schema at Alembic head and fills it. The database must be empty. */
export async function buildLegacyDatabase(knex: Knex, revision = ALEMBIC_HEAD): Promise<LegacyFixture> {
  const d: Dialect = knex.client.config.client === 'pg' ? 'pg' : 'sqlite';
  for (const sql of ddl(d)) await knex.raw(sql);
  await knex('alembic_version').insert({ version_num: revision });
  const t = (s: number, micro = 123456) => `2025-03-0${1 + (s % 8)} 10:${String(10 + s).padStart(2, '0')}:00.${String(micro).padStart(6, '0')}`;
  const trace = (s: number) => ({ created_at: t(s), updated_at: t(s), deleted_at: null });
  await knex('actions').insert(['can_get', 'can_patch', 'can_post', 'can_put', 'can_delete'].map((name, i) => ({ id: i + 1, name })));
  await knex('roles').insert(Object.entries(ROLE_NAMES).map(([id, name]) => ({ id: Number(id), name, ...trace(0) })));
  const viewIds: number[] = [];
  for (const [i, [name, url_rule]] of VIEWS.entries()) {
    await knex('api_view').insert({ id: i + 1, name, url_rule, description: '' });
    viewIds.push(i + 1);
  }
  let pv = 0;
  for (const [i, [, , roles]] of VIEWS.entries()) {
    for (const role of roles) {
      const actions = role === 1 ? [1] : [1, 2, 3, 4, 5];
      for (const action of actions) {
        pv += 1;
        await knex('permission_view').insert({ id: pv, action_id: action, api_view_id: viewIds[i], role_id: role, ...trace(0) });
      }
    }
  }

  const users: LegacyUser[] = [
    { id: 1, username: 'cornflow_admin', email: 'cornflow_admin@cornflow.com', password: 'Cornflow_admin1234', roles: [3] },
    { id: 2, username: 'service_user', email: 'service_user@cornflow.com', password: 'Service_user1234', roles: [4] },
    { id: 3, username: 'planner_ana', email: 'ana@example.com', password: 'Ana_planner_2024!', roles: [2] },
    { id: 4, username: 'viewer_bo', email: 'bo@example.com', password: 'Bo_viewer_2024!', roles: [1] },
    { id: 5, username: 'planner_admin_cy', email: 'cy@example.com', password: 'Cy_both_2024!', roles: [2, 3] },
  ];
  let ur = 0;
  for (const u of users) {
    await knex('users').insert({
      id: u.id, username: u.username, email: u.email, first_name: u.username.split('_')[1] ?? null, last_name: null,
      password: await hash(u.password, 10), pwd_last_change: t(u.id), ...trace(u.id),
    });
    for (const role of u.roles) await knex('user_role').insert({ id: ++ur, user_id: u.id, role_id: role, ...trace(u.id) });
  }

  const schema = (props: Record<string, unknown>) => pyJson({ type: 'object', properties: props });
  const apps = ['solve_model_dag', 'timer'];
  for (const [i, app] of apps.entries()) {
    await knex('deployed_workflows').insert({
      id: app, description: `${app} (deployed by Airflow)`, ...trace(i),
      instance_schema: schema({ parameters: { type: 'object' } }), solution_schema: schema({}), config_schema: schema({ timeLimit: { type: 'number' } }),
      instance_checks_schema: schema({}), solution_checks_schema: schema({}), kpis_schema: null,
    });
  }
  // Open deployment for everybody but the viewer, who may only use timer.
  const dagPermissions: Record<number, string[]> = { 1: apps, 2: apps, 3: apps, 4: ['timer'], 5: apps };
  let pd = 0;
  for (const [uid, dags] of Object.entries(dagPermissions)) {
    for (const dag of dags) await knex('permission_dag').insert({ id: ++pd, dag_id: dag, user_id: Number(uid), ...trace(1) });
  }

  const instances: LegacyInstance[] = [];
  // Python's json.dumps text (float lexemes 1.0 and 1e-07 as Python writes them).
  const instanceData = [
    '{"parameters": {"numbers": [1.0, 2.5, 1e-07], "name": "Zaragoza \\u00e9"}}',
    pyJson({ parameters: {}, values: [[1, 2], [3, 4]] }),
    pyJson({ seconds: 10 }),
  ];
  for (const [i, [owner, app]] of ([[3, 'solve_model_dag'], [3, 'solve_model_dag'], [4, 'timer']] as const).entries()) {
    const created = t(10 + i, 1000 * (i + 1));
    const text = instanceData[i]!;
    const row: LegacyInstance = {
      id: sha1(`${pyStr(created)} ${owner}`), user_id: owner, name: `legacy instance ${i}`, data: JSON.parse(text), data_hash: dataHashOfText(text), schema: app, created_at: created,
    };
    await knex('instances').insert({
      id: row.id, user_id: owner, name: row.name, description: i === 0 ? 'made by Flask' : null, data: text,
      checks: i === 1 ? pyJson({ missing: [] }) : null, data_hash: row.data_hash, schema: app, created_at: created, updated_at: created, deleted_at: null,
    });
    instances.push(row);
  }

  const executions: LegacyExecution[] = [];
  // States: 1 success, 0 running, -1 error, 2 timeout.
  for (const [i, state] of [1, 0, -1, 2].entries()) {
    const inst = instances[i % 2]!;
    const created = t(20 + i, 500 + i);
    const solution = state === 1 ? { x: [1, 0, 1] } : null;
    const row: LegacyExecution = {
      id: sha1(`${pyStr(created)} ${inst.user_id} ${inst.id}`), instance_id: inst.id, user_id: inst.user_id, state, data_hash: dataHash(solution as never),
      name: `run ${i}`, data: solution, config: { solver: 'PULP_CBC_CMD', timeLimit: 60 },
    };
    await knex('executions').insert({
      id: row.id, instance_id: inst.id, user_id: inst.user_id, name: `run ${i}`, description: null, config: pyJson({ solver: 'PULP_CBC_CMD', timeLimit: 60 }),
      run_id: `manual__2025-03-0${i + 1}`, log_text: state === 1 ? 'Optimal' : null, log_json: state === 1 ? pyJson({ status: 'Optimal' }) : null,
      state, state_message: null, data: solution === null ? null : pyJson(solution), checks: null, data_hash: row.data_hash, schema: inst.schema,
      kpis: null, last_run_checks_and_kpis: false, checks_and_kpis_only: false, execution_files_status: 0, created_at: created, updated_at: created, deleted_at: null,
    });
    executions.push(row);
  }

  // A case tree: folder 1 (data null) holds case 2 and folder 3, which holds case 4 (cases only hang off folders).
  const cases: LegacyCase[] = [];
  const caseRows: [number, string, unknown, unknown][] = [
    [1, '', null, null],
    [2, '1/', { demand: [3, 4] }, { flow: 7 }],
    [3, '1/', null, null],
    [4, '1/3/', { demand: [5] }, null],
  ];
  for (const [id, path, data, solution] of caseRows) {
    const row: LegacyCase = {
      id, path, user_id: 3, data_hash: dataHash(data as never), name: `case ${id}`, data, solution, solution_hash: dataHash(solution as never),
    };
    await knex('cases').insert({
      id, path, user_id: 3, name: `case ${id}`, description: null, data: data === null ? null : pyJson(data), checks: null,
      data_hash: row.data_hash, schema: 'solve_model_dag', solution: solution === null ? null : pyJson(solution), solution_hash: dataHash(solution as never),
      solution_checks: null, kpis: null, ...trace(30 + id),
    });
    cases.push(row);
  }
  await knex('alarms').insert({ id: 1, name: 'disk', criticality: 0.5, description: 'Disk almost full', schema: null, ...trace(2) });
  await knex('main_alarms').insert({ id: 1, id_alarm: 1, criticality: 0.5, message: 'at 90%', schema: null, ...trace(3) });

  if (d === 'pg') {
    // What cornflow's access_init does after inserting with explicit ids (and what SERIAL needs for the rest).
    for (const table of ['users', 'cases', 'actions', 'api_view', 'roles', 'permission_view', 'user_role', 'permission_dag', 'alarms', 'main_alarms']) {
      await knex.raw(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
    }
  }
  return { users, instances, executions, cases, apps, dagPermissions };
}
