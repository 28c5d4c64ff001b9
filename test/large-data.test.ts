// A 50 MB instance can be created and read back on each database; beyond CORNFLOW_MAX_BODY_SIZE: 413.
import { expect } from 'chai';
import { forEachDatabase } from './support/app.js';

function bigModel(targetBytes: number) {
  const variables: unknown[] = [];
  const coefficients: unknown[] = [];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const v = { lowBound: 0, upBound: 1.5, cat: 'Continuous', varValue: null, dj: null, name: `variable_with_a_long_name_${i}` };
    variables.push(v);
    coefficients.push({ name: v.name, value: 1.0 + i });
    size += 160;
  }
  return {
    objective: { name: 'obj', coefficients },
    constraints: [],
    variables,
    parameters: { name: 'big', sense: 1, status: 0, sol_status: 0 },
    sos1: [],
    sos2: [],
  };
}

forEachDatabase('large data', (t) => {
  it('creates and reads back a 50 MB instance', async function () {
    this.timeout(180_000);
    const u = await t.user('planner');
    const text = JSON.stringify({ name: 'big', schema: 'solve_model_dag', data: bigModel(50 * 1024 * 1024) });
    expect(text.length).to.be.greaterThan(50 * 1024 * 1024);
    const res = await t.raw().post('/instance/').set('Authorization', `Bearer ${u.token}`).set('Content-Type', 'application/json').send(text);
    expect(res.status, res.text.slice(0, 300)).to.equal(201);
    const back = await t.raw().get(`/instance/${res.body.id}/data/`).set('Authorization', `Bearer ${u.token}`).set('Accept-Encoding', 'gzip');
    expect(back.status).to.equal(200);
    expect(back.body.data.variables.length).to.equal(JSON.parse(text).data.variables.length);
  });
}, { CORNFLOW_MAX_BODY_SIZE: '60mb' });

forEachDatabase('body size limit', (t) => {
  it('answers 413 beyond CORNFLOW_MAX_BODY_SIZE and stores nothing', async () => {
    const u = await t.user('planner');
    const text = JSON.stringify({ name: 'big', data: { x: 'a'.repeat(2048) } });
    const res = await t.raw().post('/instance/').set('Authorization', `Bearer ${u.token}`).set('Content-Type', 'application/json').send(text);
    expect(res.status).to.equal(413);
    expect(res.body.error).to.match(/CORNFLOW_MAX_BODY_SIZE/);
    expect(await t.knex('instances')).to.have.length(0);
  });
}, { CORNFLOW_MAX_BODY_SIZE: '1kb' });
