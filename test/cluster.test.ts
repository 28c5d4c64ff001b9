// Cluster mode (src/cluster.ts): WEB_CONCURRENCY=2 starts two workers after one set-up, serves, and on
// SIGTERM finishes the requests in flight and exits 0 with its workers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { DATABASES, createTestDatabase } from './support/app.js';
import { spawnServer } from './support/server-process.js';

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
      const server = spawnServer(dir, { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, SECRET_KEY: 'cluster-test-secret', WEB_CONCURRENCY: '2', CORNFLOW_LOG_SILENT: '', LOG_LEVEL: '20' });
      const { child, exited } = server;
      try {
        await server.listening(60_000);
        const output = server.output();
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
