// Log in with the SDK; the client keeps the token for the next calls.
//   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' node --import tsx examples/ts/login.ts
import { baseUrl, credentials, createCornflowClient, unwrap } from './env.js';

const cf = createCornflowClient({ baseUrl });
const { username, password } = credentials();
const login = await cf.login(username, password);
console.log(`logged in as user ${login.id}`);

const { valid } = await unwrap(cf.api.GET('/token/'));
console.log(`token valid: ${valid}`);

// Error answers come back as { error, response } (or thrown by unwrap as CornflowError): cornflow answers
// auth failures with 400.
cf.logout();
const { error, response } = await cf.api.GET('/instance/');
console.log(`without a token: ${response.status} ${JSON.stringify(error)}`);
if (response.status !== 400) process.exit(1);
