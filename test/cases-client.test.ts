// What the Python cornflow-client sends for cases (cornflow-api.md §4): Content-Encoding: br on plain JSON
// bodies, Accept-Encoding with br, and the status codes and keys it reads.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { forEachDatabase } from './support/app.js';

const CASE = JSON.parse(readFileSync('/work/shared/reference/cornflow-testdata/new_case_raw.json', 'utf8')) as { name: string; schema: string; data: unknown };
const client = (token: string) => ({ 'Content-Encoding': 'br', 'Accept-Encoding': 'gzip, deflate, br', Authorization: `Bearer ${token}` });

forEachDatabase('python client: cases', (t) => {
  it('create_case, get_all_cases, get_one_case(_data), put_one_case, patch_one_case (405), delete_one_case', async () => {
    const user = await t.user('planner');
    const h = client(user.token);
    // create_case(name, schema, data=None, parent_id=None, description="", solution=None)
    let res = await t.post('/case/', { headers: h, body: { name: 'folder', description: '', schema: CASE.schema, parent_id: null } });
    expect(res.status).to.equal(201);
    const folder = res.body.id as number;
    res = await t.post('/case/', { headers: h, body: { name: CASE.name, description: '', schema: CASE.schema, parent_id: folder, data: CASE.data } });
    expect(res.status).to.equal(201);
    expect(res.body).to.include.keys('id', 'path');
    expect(res.body.path).to.equal(`${folder}/`);
    const id = res.body.id as number;
    res = await t.get('/case/', { headers: h, query: { schema: CASE.schema } });
    expect(res.status).to.equal(200);
    expect(res.body).to.have.length(2);
    res = await t.get(`/case/${id}/`, { headers: h });
    expect(res.status).to.equal(200);
    expect(res.body).to.include.keys('id', 'name', 'description');
    res = await t.get(`/case/${id}/data/`, { headers: h });
    expect(res.status).to.equal(200);
    expect(res.body.data).to.deep.equal(CASE.data);
    res = await t.put(`/case/${id}/`, { headers: h, body: { name: 'renamed' } });
    expect(res.status).to.equal(200);
    res = await t.patch(`/case/${id}/`, { headers: h, body: { name: 'x' } });
    expect(res.status).to.equal(405);
    res = await t.delete(`/case/${folder}/`, { headers: h });
    expect(res.status).to.equal(200);
    expect(await t.knex('cases').count({ n: '*' }).first()).to.satisfy((r: { n: unknown }) => Number(r.n) === 0);
  });
});
