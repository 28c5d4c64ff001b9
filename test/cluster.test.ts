// Cluster mode (src/cluster.ts): WEB_CONCURRENCY=2 starts two workers after one set-up, serves, and on
// SIGTERM finishes the requests in flight and exits 0 with its workers.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../src/paths.js';
import { DATABASES, createTestDatabase } from './support/app.js';

function children(pid: number): number[] {
  try {
    // Node processes only (tsx also starts an esbuild service).
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm === 'node')
      .map(([p]) => Number(p));
  } catch {
    return [];
  }
}

for (const kind of DATABASES) {
  describe(`cluster mode [${kind}]`, () => {
    it('WEB_CONCURRENCY=2: migrates once, two workers serve, SIGTERM drains in-flight requests and exits 0', async function () {
      this.timeout(90_000);
      const dir = mkdtempSync(join(tmpdir(), 'cornflow-cluster-'));
      const db = await createTestDatabase(kind, join(dir, 'cornflow.db'));
      const port = 30000 + Math.floor(Math.random() * 10000);
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
      const child = spawn(process.execPath, ['--import', tsx, join(PROJECT_ROOT, 'src', 'server.ts')], {
        cwd: dir,
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, SECRET_KEY: 'cluster-test-secret', WEB_CONCURRENCY: '2', CORNFLOW_LOG_SILENT: '', LOG_LEVEL: '20' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 60_000);
          child.stdout.on('data', () => {
            if (output.includes('listening on')) {
              clearTimeout(timer);
              resolve();
            }
          });
          child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
        });
        expect(output).to.include('(2 worker processes)');
        expect(output.match(/applied migrations/g) ?? [], output).to.have.length(1);
        const workers = children(child.pid!);
        expect(workers).to.have.length(2);

        const base = `http://127.0.0.1:${port}`;
        for (let i = 0; i < 6; i++) expect((await fetch(`${base}/health/`)).status).to.equal(200);
        // Requests in flight when SIGTERM arrives: their bodies are only half sent; the rest follows the signal.
        const body = JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' });
        const inflight = Array.from({ length: 6 }, () => {
          const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/login/', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } });
          const status = new Promise<number>((resolve, reject) => {
            req.on('response', (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('error', reject);
          });
          req.write(body.slice(0, 10));
          return { req, status };
        });
        await new Promise((r) => setTimeout(r, 300));
        child.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 300));
        for (const { req } of inflight) req.end(body.slice(10));
        const statuses = await Promise.all(inflight.map((i) => i.status));
        expect(statuses).to.deep.equal(Array(6).fill(200));
        // New connections are refused once the drain has started (a fresh connection: fetch's pool may still
        // hold a keep-alive one, which is served with `Connection: close` during the drain's 1 s grace).
        const fresh = await new Promise<number | string>((resolve) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/health/', agent: false }, (res) => resolve(res.statusCode ?? 0));
          req.on('error', () => resolve('refused'));
          req.end();
        });
        expect(fresh).to.equal('refused');
        expect(await exited).to.equal(0);
        for (const pid of workers) expect(() => process.kill(pid, 0)).to.throw();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
