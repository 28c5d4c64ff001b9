// Solve a model: create an instance, launch an execution, wait until it is solved, read the solution and the log.
//   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' node --import tsx examples/ts/execution.ts
// The server needs a backend that runs executions: CORNFLOW_BACKEND=local (HiGHS in the server's process pool),
// or an Airflow / Databricks one.
import { readFileSync } from 'node:fs';
import { baseUrl, credentials, createCornflowClient, unwrap, type Schemas } from './env.js';

const cf = createCornflowClient({ baseUrl });
const { username, password } = credentials();
await cf.login(username, password);

const body = JSON.parse(readFileSync(new URL('../data/new_instance.json', import.meta.url), 'utf8')) as Schemas['InstanceCreateRequest'];
const instance = await unwrap(cf.api.POST('/instance/', { body }));
console.log(`created instance ${instance.id}`);

// POST /execution/: the solver configuration is validated against the app's config schema; state −7 (queued).
const created = await unwrap(
  cf.api.POST('/execution/', { body: { instance_id: instance.id, name: 'example run', config: { solver: 'PULP_CBC_CMD', timeLimit: 10 } } }),
);
console.log(`created execution ${created.id}: state ${created.state}`);

// GET /execution/{id}/status/ until it leaves the active states (0 running, −7 queued, −5 unknown).
const path = { idx: created.id };
let state = created.state;
const until = Date.now() + 60_000;
while ([0, -7, -5].includes(state)) {
  if (Date.now() > until) throw new Error(`execution ${created.id} still in state ${state}`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  state = (await unwrap(cf.api.GET('/execution/{idx}/status/', { params: { path } }))).state;
}
console.log(`execution ${created.id} ended in state ${state}`);
if (state !== 1) process.exit(1);

// GET /execution/{id}/data/: the solution (here, the model with every varValue filled in).
const { data } = await unwrap(cf.api.GET('/execution/{idx}/data/', { params: { path } }));
for (const v of (data as { variables: { name: string; varValue: number }[] }).variables) console.log(`${v.name} = ${v.varValue}`);

// GET /execution/{id}/log/: the solver's log, as text and as JSON.
const log = await unwrap(cf.api.GET('/execution/{idx}/log/', { params: { path } }));
console.log(`status: ${(log.log as { status?: string }).status}, objective: ${(log.log as { best_solution?: number }).best_solution}`);
