// solve_model_dag on HiGHS: PuLP-JSON → LP text → HiGHS → PuLP-JSON solution + cornflow's log.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { ModelError, solve, toLp, type PulpModel } from '../src/apps/solve_model_dag/solve.js';

const pulpSchema: object = JSON.parse(
  readFileSync('/work/shared/reference/cornflow-testdata/pulp_json_schema.json', 'utf8'),
) as object;
const validatePulp = new Ajv({ strict: false, allErrors: true }).compile(pulpSchema);

const v = (name: string, lowBound: number | null, upBound: number | null, cat = 'Continuous') => ({
  name, lowBound, upBound, cat, varValue: null, dj: null,
});
const c = (name: string, sense: number, constant: number, coefs: Record<string, number>) => ({
  name, sense, pi: null, constant, coefficients: Object.entries(coefs).map(([n, value]) => ({ name: n, value })),
});
const model = (p: Partial<PulpModel> & Pick<PulpModel, 'variables' | 'constraints' | 'objective'>, sense = 1): PulpModel => ({
  parameters: { name: 'test', sense, status: 0, sol_status: 0 },
  sos1: [],
  sos2: [],
  ...p,
});

// cornflow's solve_model_dag test case (test_export_dict_MIP): optimum z=7, y=-0.5, x=3 → 64.
const cornflowMip = (): PulpModel => model({
  objective: { name: 'obj', coefficients: [{ name: 'x', value: 1 }, { name: 'y', value: 4 }, { name: 'z', value: 9 }] },
  constraints: [
    c('c1', -1, -5, { x: 1, y: 1 }),
    c('c2', 1, -10, { x: 1, z: 1 }),
    c('c3', 1, -7.5, { y: -1, z: 1 }),
    c('c4', -1, -7.5, { y: -1, z: 1 }),
  ],
  variables: [v('x', 0, 4), v('y', -1, 1), v('z', 0, null, 'Integer')],
});

/** Market split (Cornuéjols–Dawande): tiny, notoriously hard for branch and bound. */
function marketSplit(rows: number, cols: number, withSlack: boolean): PulpModel {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const variables = Array.from({ length: cols }, (_, j) => v(`x_${j}`, 0, 1, 'Integer'));
  const constraints = Array.from({ length: rows }, (_, i) => {
    const a = Array.from({ length: cols }, () => Math.floor(rnd() * 100));
    const rhs = Math.floor(a.reduce((s, x) => s + x, 0) / 2);
    const coefs: Record<string, number> = Object.fromEntries(a.map((x, j) => [`x_${j}`, x]));
    if (withSlack) {
      coefs[`sp_${i}`] = 1;
      coefs[`sm_${i}`] = -1;
    }
    return c(`r_${i}`, 0, -rhs, coefs);
  });
  if (withSlack) for (let i = 0; i < rows; i++) variables.push(v(`sp_${i}`, 0, null), v(`sm_${i}`, 0, null));
  const objective = withSlack
    ? { name: 'slack', coefficients: variables.filter((x) => x.name.startsWith('s')).map((x) => ({ name: x.name, value: 1 })) }
    : { name: 'none', coefficients: [{ name: 'x_0', value: 0 }] };
  return model({ objective, constraints, variables });
}

describe('solve_model_dag (HiGHS)', function () {
  this.timeout(30000);

  it("solves cornflow's test MIP to its known optimum and fills the PuLP solution", async () => {
    const r = await solve(cornflowMip(), { solver: 'PULP_CBC_CMD', msg: false });
    expect(r.state).to.equal(1);
    expect(r.solutionState).to.equal(2);
    expect(r.log_json).to.include({ status: 'Optimal', status_code: 1, sol_code: 1, solver: 'HiGHS' });
    expect(r.log_json.objective).to.be.closeTo(64, 1e-6);
    const vals = Object.fromEntries(r.solution!.variables.map((x) => [x.name, x.varValue]));
    expect(vals.z).to.be.closeTo(7, 1e-6);
    expect(vals.y).to.be.closeTo(-0.5, 1e-6);
    expect(vals.x).to.be.closeTo(3, 1e-6);
    expect(validatePulp(r.solution), JSON.stringify(validatePulp.errors)).to.equal(true);
    expect(r.log_text).to.contain('PULP_CBC_CMD requested, solved with HiGHS');
  });

  it("solves cornflow-testdata's new_instance model (LP)", async () => {
    const inst = (JSON.parse(readFileSync('/work/shared/reference/cornflow-testdata/new_instance.json', 'utf8')) as { data: PulpModel }).data;
    const r = await solve(inst, {});
    expect(r.state).to.equal(1);
    expect(r.log_json.objective).to.be.closeTo(54, 1e-6);
    expect(validatePulp(r.solution)).to.equal(true);
  });

  it('maximises, keeps the objective constant and survives names LP format refuses', async () => {
    const bad = 'e1 [weird] name:+-';
    const m = model({
      objective: { name: 'o', coefficients: [{ name: bad, value: 3 }, { name: '2y', value: 2 }], constant: 10 },
      constraints: [c('cap 1', -1, -4, { [bad]: 1, '2y': 1 }), c('eq', 0, -1, { '2y': 1 })],
      variables: [v(bad, null, 10), v('2y', -5, 5, 'Integer')],
    }, -1);
    const r = await solve(m, {});
    expect(r.state).to.equal(1);
    // 2y fixed to 1 by eq; bad ≤ 3 → 3·3 + 2·1 + 10 = 21
    expect(r.log_json.objective).to.be.closeTo(21, 1e-6);
    expect(r.solution!.variables.find((x) => x.name === bad)!.varValue).to.be.closeTo(3, 1e-6);
    expect(toLp(m).lp).not.to.contain('weird');
  });

  it('handles free, fixed, lower-only, upper-only and binary bounds', async () => {
    const m = model({
      objective: { name: 'o', coefficients: [{ name: 'f', value: 1 }, { name: 'u', value: -1 }, { name: 'b', value: -1 }, { name: 'k', value: 1 }, { name: 'l', value: 1 }] },
      constraints: [c('c', 1, 3, { f: 1 })], // f ≥ -3
      variables: [v('f', null, null), v('u', null, 2), v('b', 0, 1, 'Binary'), v('k', 4, 4), v('l', 1, null)],
    });
    const r = await solve(m, {});
    const vals = Object.fromEntries(r.solution!.variables.map((x) => [x.name, x.varValue]));
    expect(vals).to.deep.equal({ f: -3, u: 2, b: 1, k: 4, l: 1 });
    expect(r.log_json.objective).to.be.closeTo(-3 - 2 - 1 + 4 + 1, 1e-9);
  });

  it('keeps variables that appear nowhere but in the bounds, and solves an empty model', async () => {
    const m = model({
      objective: { name: 'o', coefficients: [{ name: 'a', value: 1 }] },
      constraints: [c('c', 1, -1, { a: 1 })],
      variables: [v('a', 0, null), v('lonely', 2, 5, 'Integer'), v('free', null, null)],
    });
    const r = await solve(m, {});
    expect(r.solution!.variables.map((x) => [x.name, x.varValue])).to.deep.equal([['a', 1], ['lonely', 2], ['free', 0]]);
    const empty = await solve(model({ objective: { name: 'o', coefficients: [] }, constraints: [], variables: [] }), {});
    expect(empty.state).to.equal(1);
  });

  it('reports an infeasible model as cornflow does (status -1, no solution)', async () => {
    const m = model({
      objective: { name: 'o', coefficients: [{ name: 'x', value: 1 }] },
      constraints: [c('a', 1, -5, { x: 1 }), c('b', -1, -3, { x: 1 })],
      variables: [v('x', 0, null, 'Integer')],
    });
    const r = await solve(m, {});
    expect(r.state).to.equal(-1);
    expect(r.solutionState).to.equal(0);
    expect(r.solution).to.equal(null);
    expect(r.log_json).to.include({ status_code: -1, sol_code: -1, objective: null });
  });

  it('reports an unbounded model (status -2)', async () => {
    const m = model({
      objective: { name: 'o', coefficients: [{ name: 'y', value: 1 }] },
      constraints: [c('a', 1, 0, { x: 1, y: 1 })],
      variables: [v('x', null, 0), v('y', 0, null)],
    }, -1);
    const r = await solve(m, {});
    expect(r.state).to.equal(-2);
    expect(r.log_json.status_code).to.equal(r.state);
    expect(r.solutionState).to.equal(0);
  });

  it('stops at the time limit with a feasible solution (status 5, sol_code 2)', async () => {
    const r = await solve(marketSplit(6, 50, true), { timeLimit: 1 });
    expect(r.log_json.time as number).to.be.below(5);
    if (r.state === 1) return; // a faster machine proved it: nothing to check
    expect(r.state).to.equal(5);
    expect(r.log_json.sol_code).to.equal(2);
    expect(r.solutionState).to.equal(2);
    expect(validatePulp(r.solution)).to.equal(true);
  });

  it('stops at the time limit without a solution (status 5, sol_code 0)', async () => {
    const r = await solve(marketSplit(6, 50, false), { timeLimit: 1 });
    expect(r.log_json.time as number).to.be.below(5);
    if (r.state === -1) return; // proved infeasible within the limit
    expect(r.state).to.equal(5);
    expect(r.log_json.sol_code).to.equal(0);
    expect(r.solution).to.equal(null);
    expect(r.solutionState).to.equal(0);
  });

  it('refuses an inconsistent model with a ModelError', async () => {
    const m = cornflowMip();
    m.constraints[0]!.coefficients.push({ name: 'ghost', value: 1 });
    await solve(m, {}).then(() => expect.fail('should throw'), (e: unknown) => expect(e).to.be.instanceOf(ModelError));
    const n = cornflowMip();
    n.constraints[0]!.sense = 7;
    expect(() => toLp(n)).to.throw(ModelError, /sense/);
    expect(() => toLp({} as PulpModel)).to.throw(ModelError);
  });
});
