import { expect } from 'chai';
import { mkdtempSync, existsSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { forEachDatabase, contract, type TestUser } from './support/app.js';
import { newExecution, newInstance } from './support/executions.js';

function zip(): Buffer {
  const z = new AdmZip();
  z.addFile('report.txt', Buffer.from('hello'));
  return z.toBuffer();
}

const dir = mkdtempSync(join(tmpdir(), 'cf-execfiles-'));

forEachDatabase(
  'execution files',
  (t) => {
    let planner: TestUser;
    let other: TestUser;
    let service: TestUser;
    let id: string;
    before(async () => {
      planner = await t.user('planner');
      other = await t.user('planner');
      service = await t.user('service');
      id = (await newExecution(t, planner, await newInstance(t, planner))).body.id as string;
    });

    const upload = (execId: string, token: string, status: string, file?: { buf: Buffer; name: string }) => {
      let req = t.raw().post(`/execution/files/${execId}/`).set('Authorization', `Bearer ${token}`);
      if (file) req = req.field('execution_files_status', status).attach('execution_file', file.buf, { filename: file.name, contentType: 'application/zip' });
      else req = req.type('form').send({ execution_files_status: status });
      return req;
    };

    it('download before any upload: 400 with status 0', async () => {
      const res = await t.get(`/execution/files/${id}/`, { token: planner.token });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ status: 0, error: 'The output files were not generated for this execution' });
    });

    it('the worker saves a status (urlencoded) and a zip (multipart); the owner downloads it', async () => {
      const st = await upload(id, service.token, '-1');
      contract.check('post', `/execution/files/${id}/`, st);
      expect(st.status, st.text).to.equal(200);
      expect(st.body).to.deep.equal({ message: 'Execution files status saved correctly' });
      const res = await upload(id, service.token, '1', { buf: zip(), name: 'execution.zip' });
      contract.check('post', `/execution/files/${id}/`, res);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ message: 'Execution files saved correctly' });
      expect(existsSync(join(dir, `${id}.zip`))).to.equal(true);
      const dl = await t.raw().get(`/execution/files/${id}/`).set('Authorization', `Bearer ${planner.token}`).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(dl.status).to.equal(200);
      expect(dl.headers['content-type']).to.equal('application/zip');
      expect(dl.headers['content-disposition']).to.match(/^attachment; filename=exec_\d{8}-\d{6}\.zip$/);
      expect(dl.headers['x-message']).to.equal('The files were generated successfully.');
      expect(new AdmZip(dl.body as Buffer).readAsText('report.txt')).to.equal('hello');
      expect((await t.get(`/execution/files/${id}/`, { token: other.token })).status).to.equal(404);
    });

    it('bad uploads: not a zip, status 1 without file, invalid status → 400; planners 403; missing execution 404', async () => {
      const notZip = await upload(id, service.token, '1', { buf: Buffer.from('nope'), name: 'execution.zip' });
      expect(notZip.status).to.equal(400);
      expect(notZip.body.error).to.equal('The execution file must be a valid .zip file');
      const noFile = await upload(id, service.token, '1');
      expect(noFile.status).to.equal(400);
      expect(noFile.body.error).to.equal("Execution file status was 'OK' but not file was provided.");
      expect((await upload(id, service.token, '7')).status).to.equal(400);
      expect((await upload(id, service.token, 'x')).status).to.equal(400);
      expect((await upload(id, planner.token, '0')).status).to.equal(403);
      expect((await upload('nope', service.token, '0')).status).to.equal(404);
    });

    it('cleanup deletes old zips and marks their executions −2', async () => {
      await upload(id, service.token, '1', { buf: zip(), name: 'execution.zip' });
      expect((await t.delete('/execution/files/cleanup/', { token: planner.token })).status).to.equal(403);
      const none = await t.delete('/execution/files/cleanup/', { token: service.token });
      expect(none.body).to.deep.equal({ message: '0 files were deleted.' });
      await t.knex('executions').where({ id }).update({ updated_at: '2000-01-01 00:00:00.000000' });
      utimesSync(join(dir, `${id}.zip`), new Date(0), new Date(0));
      const res = await t.delete('/execution/files/cleanup/', { token: service.token });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ message: '1 files were deleted.' });
      const dl = await t.get(`/execution/files/${id}/`, { token: planner.token });
      expect(dl.body.status).to.equal(-2);
    });
  },
  () => ({ EXECUTION_FILES: '1', EXECUTION_FILES_PATH: join(dir, '.') }),
);

forEachDatabase('execution files (off)', (t) => {
  it('answers 501 when EXECUTION_FILES is off', async () => {
    const service = await t.user('service');
    const res = await t.delete('/execution/files/cleanup/', { token: service.token });
    expect(res.status).to.equal(501);
    expect(res.body.error).to.equal('Execution files are not active for this deployment');
  });
});
