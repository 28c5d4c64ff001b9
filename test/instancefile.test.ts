import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { contract, forEachDatabase, type TestApp, type TestUser } from './support/app.js';

const HAS_PARSER = existsSync(new URL('../src/domain/mps.ts', import.meta.url));
const MPS = `NAME          TESTLP
ROWS
 N  obj
 L  c1
COLUMNS
    x         obj       1.0        c1        1.0
    y         obj       2.0        c1        1.0
RHS
    RHS       c1        4.0
BOUNDS
 UP BND       x         3.0
ENDATA
`;

async function upload(t: TestApp, user: TestUser, fields: Record<string, string>, file?: { name: string; text: string }) {
  let req = t.raw().post('/instancefile/').set('Authorization', `Bearer ${user.token}`).set('Content-Encoding', 'br');
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  if (file) req = req.attach('file', Buffer.from(file.text), file.name);
  const res = await req;
  contract.check('post', '/instancefile/', res);
  return res;
}

forEachDatabase('instancefile', (t) => {
  let planner: TestUser;
  before(async () => {
    planner = await t.user('planner');
  });

  describe('createInstanceFromFile', () => {
    it('answers "No file was provided" without a file part', async () => {
      const res = await upload(t, planner, { name: 'x', description: 'd' });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'No file was provided' });
    });

    it('is forbidden to viewers (403) and needs a token (400)', async () => {
      const viewer = await t.user('viewer');
      let res = await upload(t, viewer, { name: 'x' }, { name: 'm.mps', text: MPS });
      expect(res.status).to.equal(403);
      res = await t.raw().post('/instancefile/').field('name', 'x');
      contract.check('post', '/instancefile/', res);
      expect(res.status).to.equal(400);
    });

    it('checks the extension', async () => {
      const res = await upload(t, planner, { name: 'x', description: 'd' }, { name: 'model.txt', text: MPS });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "Could not open file to upload. Check the extension matches {'mps', 'lp'}" });
      expect(await t.count('instances')).to.equal(0);
    });

    it('rejects a bad minimize value', async () => {
      const res = await upload(t, planner, { name: 'x', minimize: 'maybe' }, { name: 'm.mps', text: MPS });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: "{'form': {'minimize': ['Not a valid boolean.']}}" });
    });

    (HAS_PARSER ? it : it.skip)('creates a solve_model_dag instance from an MPS file (needs src/domain/mps.ts)', async () => {
      const res = await upload(t, planner, { name: 'mps', description: 'from file', minimize: 'True' }, { name: 'model.mps', text: MPS });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.schema).to.equal('solve_model_dag');
      const data = await t.get(`/instance/${res.body.id}/data/`, { token: planner.token });
      expect(data.body.data).to.include.keys('objective', 'constraints', 'variables', 'parameters');
    });

    (HAS_PARSER ? it : it.skip)('answers the parse error for a bad file and stores nothing (needs src/domain/mps.ts)', async () => {
      const before = await t.count('instances');
      for (const file of [{ name: 'bad.mps', text: 'garbage\n' }, { name: 'model.lp', text: 'Minimize\n obj: x\nEnd\n' }]) {
        const res = await upload(t, planner, { name: 'bad', description: 'd' }, file);
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ error: 'Error reading or parsing the MPS file.' });
      }
      expect(await t.count('instances')).to.equal(before);
    });
  });
});
