// What every TypeScript example reads from the environment. In your project, import from '@cornflow-ts/sdk'
// instead of the relative path to sdk/src used here (so the examples always run against this repository's SDK).
export { createCornflowClient, unwrap, CornflowError, type Schemas } from '../../sdk/src/index.js';

export const baseUrl = process.env.CORNFLOW_URL ?? 'http://localhost:5000';

export function credentials(): { username: string; password: string } {
  const { CORNFLOW_USERNAME: username, CORNFLOW_PASSWORD: password } = process.env;
  if (!username || !password) throw new Error('set CORNFLOW_USERNAME and CORNFLOW_PASSWORD');
  return { username, password };
}
