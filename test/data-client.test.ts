// What the Python cornflow-client sends for instances and apps (cornflow-api.md §4), byte for byte in spirit:
// Authorization, Content-Encoding: br on plain JSON bodies, Accept-Encoding with br, and the expected codes.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase, type TestUser } from './support/app.js';

const NEW_INSTANCE = JSON.parse(readFileSync('/work/shared/reference/cornflow-testdata/new_instance.json', 'utf8'));
const client = (token: string) => ({ 'Content-Encoding': 'br', 'Accept-Encoding': 'gzip, deflate, br', Authorization: `Bearer ${token}` });

forEachDatabase('python client: instances and apps', (t) => {
  let user: TestUser;
  let service: TestUser;
  before(async () => {
    user = await t.user('planner');
    service = await t.user('service');
  });

  it('create_instance, get_one_instance(_data), put_one_instance, get_all_instances, delete_one_instance', async () => {
    const h = client(user.token);
    let res = await t.post('/instance/', { headers: h, body: { data: NEW_INSTANCE.data, name: 'test', description: '', schema: 'solve_model_dag' } });
    expect(res.status).to.equal(201);
    const id = res.body.id as string;
    res = await t.get(`/instance/${id}/`, { headers: h });
    expect(res.status).to.equal(200);
    expect(res.body).to.include.keys('id', 'name', 'description');
    res = await t.get(`/instance/${id}/data/`, { headers: h });
    expect(res.status).to.equal(200);
    expect(res.body).to.include.keys('id', 'name', 'description', 'data');
    res = await t.put(`/instance/${id}/`, { headers: h, body: { name: 'new name' } });
    expect(res.status).to.equal(200);
    res = await t.get('/instance/', { headers: h, query: { limit: 5 } });
    expect(res.status).to.equal(200);
    expect(res.body.map((i: { id: string }) => i.id)).to.include(id);
    res = await t.delete(`/instance/${id}/`, { headers: h });
    expect(res.status).to.equal(200);
  });

  it('get_schema, get_all_schemas, get_deployed_dags, create_deployed_dag, put_deployed_dag', async () => {
    let res = await t.get('/schema/solve_model_dag/', { headers: client(user.token) });
    expect(res.status).to.equal(200);
    expect(res.body).to.include.keys('instance', 'solution', 'config');
    res = await t.get('/schema/', { headers: client(user.token) });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ name: 'solve_model_dag' });
    const h = client(service.token);
    res = await t.get('/dag/deployed/', { headers: h });
    expect(res.status).to.equal(200);
    res = await t.post('/dag/deployed/', {
      headers: h,
      body: { id: 'client_app', description: null, instance_schema: {}, solution_schema: {}, instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {}, config_schema: {} },
    });
    expect(res.status).to.equal(201);
    res = await t.put('/dag/deployed/client_app/', { headers: h, body: { description: 'x', instance_checks_schema: {}, solution_checks_schema: {}, kpis_schema: {} } });
    expect(res.status).to.equal(200);
  });
});
