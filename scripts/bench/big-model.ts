/** A PuLP-like model of about `targetBytes` of JSON (the bench's large instance). */
export function bigModel(targetBytes: number) {
  const variables: unknown[] = [];
  const coefficients: unknown[] = [];
  for (let i = 0, size = 0; size < targetBytes; i++, size += 160) {
    const name = `variable_with_a_long_name_${i}`;
    variables.push({ lowBound: 0, upBound: 1.5, cat: 'Continuous', varValue: null, dj: null, name });
    coefficients.push({ name, value: 1.0 + i });
  }
  return { objective: { name: 'obj', coefficients }, constraints: [], variables, parameters: { name: 'big', sense: 1, status: 0, sol_status: 0 }, sos1: [], sos2: [] };
}
