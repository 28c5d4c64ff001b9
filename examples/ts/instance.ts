// Create an instance, list, read it back with its data, rename it, delete it.
//   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' node --import tsx examples/ts/instance.ts
import { readFileSync } from 'node:fs';
import { baseUrl, credentials, createCornflowClient, unwrap, type Schemas } from './env.js';

const cf = createCornflowClient({ baseUrl });
const { username, password } = credentials();
await cf.login(username, password);

// cornflow's own test instance: { name, description, schema, data }.
const body = JSON.parse(readFileSync(new URL('../data/new_instance.json', import.meta.url), 'utf8')) as Schemas['InstanceCreateRequest'];
const created = await unwrap(cf.api.POST('/instance/', { body }));
console.log(`created instance ${created.id} (data hash ${created.data_hash})`);

const list = await unwrap(cf.api.GET('/instance/', { params: { query: { limit: 5 } } }));
for (const instance of list) console.log(`${instance.id} ${instance.name}`);

const path = { idx: created.id };
const detail = await unwrap(cf.api.GET('/instance/{idx}/', { params: { path } }));
console.log(`${detail.name}: ${detail.executions.length} executions`);
const { data } = await unwrap(cf.api.GET('/instance/{idx}/data/', { params: { path } }));
console.log(`objective: ${JSON.stringify((data as { objective: unknown }).objective)}`);

await unwrap(cf.api.PUT('/instance/{idx}/', { params: { path }, body: { name: 'Renamed by the example' } }));
const renamed = await unwrap(cf.api.GET('/instance/{idx}/', { params: { path } }));
if (renamed.name !== 'Renamed by the example') throw new Error('rename failed');

await unwrap(cf.api.DELETE('/instance/{idx}/', { params: { path } }));
const gone = await cf.api.GET('/instance/{idx}/', { params: { path } });
console.log(`after delete: ${gone.response.status}`);
if (gone.response.status !== 404) process.exit(1);
