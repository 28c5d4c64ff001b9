// Cases: a directory, a case from raw data, a case from a solved execution's instance, the tree, a case's data.
//   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' node --import tsx examples/ts/cases.ts
import { readFileSync } from 'node:fs';
import { baseUrl, credentials, createCornflowClient, unwrap, type Schemas } from './env.js';

const cf = createCornflowClient({ baseUrl });
const { username, password } = credentials();
await cf.login(username, password);

const model = JSON.parse(readFileSync(new URL('../data/new_instance.json', import.meta.url), 'utf8')) as Schemas['InstanceCreateRequest'];

// POST /case/ without data: a directory. With data: a case (validated against the app's instance schema).
const folder = await unwrap(cf.api.POST('/case/', { body: { name: 'Example folder', schema: 'solve_model_dag' } }));
const fromData = await unwrap(
  cf.api.POST('/case/', { body: { name: 'From raw data', schema: 'solve_model_dag', parent_id: folder.id, data: model.data } }),
);
console.log(`case ${fromData.id} in ${fromData.path} (data hash ${fromData.data_hash})`);

// POST /case/instance/: a case that takes an instance's data.
const instance = await unwrap(cf.api.POST('/instance/', { body: model }));
const fromInstance = await unwrap(
  cf.api.POST('/case/instance/', { body: { name: 'From an instance', schema: 'solve_model_dag', instance_id: instance.id, parent_id: folder.id } }),
);
console.log(`case ${fromInstance.id} from instance ${instance.id}`);

// GET /case/: the whole tree, directories included (is_dir).
for (const c of await unwrap(cf.api.GET('/case/'))) console.log(`${c.path}${c.id} ${c.is_dir ? '[dir] ' : ''}${c.name}`);

// GET /case/{id}/data/: data, solution, checks and KPIs.
const data = await unwrap(cf.api.GET('/case/{idx}/data/', { params: { path: { idx: fromInstance.id } } }));
if (data.data_hash !== instance.data_hash) throw new Error('the case should have the instance data');
console.log(`case ${data.id}: data hash ${data.data_hash}, solution ${JSON.stringify(data.solution)}`);

// DELETE /case/{id}/ of a directory removes what is in it.
await unwrap(cf.api.DELETE('/case/{idx}/', { params: { path: { idx: folder.id } } }));
console.log(`after delete: ${(await unwrap(cf.api.GET('/case/'))).filter((c) => c.path.startsWith(`${folder.id}/`)).length} cases left in it`);
