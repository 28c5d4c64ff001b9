// Small pulp-style models (the solve_model_dag instance format) for tests that run real solves.
export const v = (name: string, lowBound: number | null, upBound: number | null, cat = 'Continuous') => ({
  name, lowBound, upBound, cat, varValue: null, dj: null,
});
export const c = (name: string, sense: number, constant: number, coefs: Record<string, number>) => ({
  name, sense, pi: null, constant, coefficients: Object.entries(coefs).map(([n, value]) => ({ name: n, value })),
});
export const model = (objective: Record<string, number>, constraints: unknown[], variables: unknown[], sense = 1) => ({
  parameters: { name: 'test', sense, status: 0, sol_status: 0 },
  sos1: [],
  sos2: [],
  objective: { name: 'obj', coefficients: Object.entries(objective).map(([name, value]) => ({ name, value })) },
  constraints,
  variables,
});

// cornflow's own MIP (test_export_dict_MIP): optimum 64.
export const cornflowMip = () =>
  model(
    { x: 1, y: 4, z: 9 },
    [c('c1', -1, -5, { x: 1, y: 1 }), c('c2', 1, -10, { x: 1, z: 1 }), c('c3', 1, -7.5, { y: -1, z: 1 }), c('c4', -1, -7.5, { y: -1, z: 1 })],
    [v('x', 0, 4), v('y', -1, 1), v('z', 0, null, 'Integer')],
  );
// x + y ≤ 1 and x + y ≥ 3: infeasible.
export const infeasible = () => model({ x: 1, y: 1 }, [c('a', -1, -1, { x: 1, y: 1 }), c('b', 1, -3, { x: 1, y: 1 })], [v('x', 0, null), v('y', 0, null)]);

/** Market split: tiny and very hard for branch and bound, so it runs until stopped. */
export function hard() {
  let seed = 987654;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = 6, cols = 50;
  const variables = Array.from({ length: cols }, (_, j) => v(`x${j}`, 0, 1, 'Integer'));
  const constraints = Array.from({ length: rows }, (_, i) => {
    const coefs: Record<string, number> = {};
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const a = Math.floor(rnd() * 100);
      coefs[`x${j}`] = a;
      sum += a;
    }
    return c(`r${i}`, 0, -Math.floor(sum / 2), coefs);
  });
  return model(Object.fromEntries(variables.map((x) => [x.name, 0])), constraints, variables);
}

