// Helpers shared by the execution tests.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { TestApp, TestUser } from './app.js';

const NEW_INSTANCE = JSON.parse(readFileSync('/work/shared/reference/cornflow-testdata/new_instance.json', 'utf8')) as Record<string, unknown>;

export async function newInstance(t: TestApp, user: TestUser): Promise<string> {
  const res = await t.post('/instance/', { token: user.token, body: NEW_INSTANCE });
  expect(res.status, res.text).to.equal(201);
  return res.body.id as string;
}

export async function newExecution(t: TestApp, user: TestUser, instanceId: string, extra: Record<string, unknown> = {}, query: Record<string, string> = {}) {
  const res = await t.post('/execution/', { token: user.token, query, body: { name: 'exec', config: { timeLimit: 10 }, instance_id: instanceId, ...extra } });
  return res;
}


/** A case row written directly (the /case/ routes live in another module). */
export async function insertCase(t: TestApp, user: TestUser, opts: { data?: unknown; solution?: unknown; schema?: string | null } = {}): Promise<number> {
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const [row] = await t.knex('cases')
    .insert({
      path: '',
      name: 'case1',
      description: null,
      data: JSON.stringify(opts.data ?? NEW_INSTANCE.data),
      data_hash: 'x',
      schema: opts.schema === undefined ? 'solve_model_dag' : opts.schema,
      user_id: user.id,
      solution: opts.solution === undefined ? null : JSON.stringify(opts.solution),
      solution_hash: 'y',
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  return Number(typeof row === 'object' ? (row as { id: number }).id : row);
}
