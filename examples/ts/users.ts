// Sign up a new user (when the server has SIGNUP_ACTIVATED=1), read and edit its own profile.
//   CORNFLOW_URL=http://localhost:5000 node --import tsx examples/ts/users.ts
import { baseUrl, createCornflowClient, unwrap } from './env.js';

const cf = createCornflowClient({ baseUrl });
const name = `example_${Date.now()}_${process.pid}`;
const { id } = await cf.signup({ username: name, email: `${name}@example.com`, password: 'Example_pass1' });
console.log(`signed up ${name} as user ${id}`);

const path = { user_id: id };
const me = await unwrap(cf.api.GET('/user/{user_id}/', { params: { path } }));
console.log(`${me.username} <${me.email}>`);

await unwrap(cf.api.PUT('/user/{user_id}/', { params: { path }, body: { first_name: 'Ada', last_name: 'Lovelace' } }));
const edited = await unwrap(cf.api.GET('/user/{user_id}/', { params: { path } }));
if (edited.first_name !== 'Ada') throw new Error('edit failed');

// A new user holds the default role (planner): listing every user is for admins.
const { response } = await cf.api.GET('/user/');
console.log(`GET /user/ as a planner: ${response.status}`);
if (response.status !== 403) process.exit(1);
