// node --import tsx scripts/bench/roundtrip-memory.ts [sqlite|postgres] [MB]
// The 50 MB round trip of `npm run bench`, phase by phase: starts one server process (WEB_CONCURRENCY=1), then
// reports its idle RSS, and the peak RSS (VmHWM, reset before each phase) while POST /instance/ runs and while
// GET /instance/{id}/data/ (gzip) runs. For finding what holds memory; `npm run bench` gives the official row.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import knex from 'knex';
import { PROJECT_ROOT } from '../../src/paths.js';
import { bigModel } from './big-model.js';

const db = process.argv[2] ?? 'sqlite';
const mb = Number(process.argv[3] ?? 50);
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TSX = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href];
const kb = (pid: number, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const dir = mkdtempSync(join(tmpdir(), 'cornflow-mem-'));
let url = `sqlite:///${join(dir, 'cornflow.db')}`;
const pgName = `cornflow_mem_${randomBytes(4).toString('hex')}`;
if (db === 'postgres') {
  const admin = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${pgName}`);
  await admin.destroy();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${pgName}`;
  url = u.toString();
}
const port = 40000 + Math.floor(Math.random() * 10000);
const extra = (process.env.NODE_EXTRA ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...extra, ...TSX, join(PROJECT_ROOT, 'src', 'server.ts')], {
  cwd: dir,
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, SECRET_KEY: 'bench-secret', CORNFLOW_LOG_SILENT: '1', WEB_CONCURRENCY: '1', CORNFLOW_MAX_BODY_SIZE: '120mb' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => (String(d).includes('listening on') ? resolve() : extra.length && process.stdout.write(d))));
const pid = child.pid!;
const base = `http://127.0.0.1:${port}`;
try {
  const login = await fetch(`${base}/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }) });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // Warm the routes once with a small instance, as the bench does before its 50 MB row.
  const small = await fetch(`${base}/instance/`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'small', data: bigModel(2000) }) });
  await fetch(`${base}/instance/${((await small.json()) as { id: string }).id}/data/`, { headers: { ...auth, 'accept-encoding': 'gzip' } }).then((r) => r.text());
  const body = JSON.stringify({ name: 'big', data: bigModel(mb * 1024 * 1024) });
  await new Promise((r) => setTimeout(r, 1000));
  const idle = kb(pid, 'VmRSS');
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  let t = performance.now();
  // RSS every 100 ms during the POST (PROFILE=1), to see which phase peaks.
  const samples: number[] = [];
  const sampler = process.env.PROFILE ? setInterval(() => samples.push(Math.round(kb(pid, 'VmRSS'))), 100) : undefined;
  const res = await fetch(`${base}/instance/`, { method: 'POST', headers: auth, body });
  if (sampler) {
    clearInterval(sampler);
    console.log(`POST RSS every 100 ms: ${samples.join(' ')}`);
  }
  if (res.status !== 201) throw new Error(`POST ${res.status} ${await res.text()}`);
  const id = ((await res.json()) as { id: string }).id;
  const post = { peak: kb(pid, 'VmHWM'), after: kb(pid, 'VmRSS'), ms: performance.now() - t };
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  t = performance.now();
  const back = await fetch(`${base}/instance/${id}/data/`, { headers: { ...auth, 'accept-encoding': 'gzip' } });
  const text = await back.text();
  if (back.status !== 200 || text.length < body.length * 0.9) throw new Error(`GET ${back.status} ${text.length}`);
  const get = { peak: kb(pid, 'VmHWM'), after: kb(pid, 'VmRSS'), ms: performance.now() - t };
  const f = (n: number) => n.toFixed(0);
  console.log(`${db}, ${(body.length / 1024 / 1024).toFixed(1)} MB body; idle RSS ${f(idle)} MB`);
  console.log(`POST: peak ${f(post.peak)} MB (growth ${f(post.peak - idle)}), after ${f(post.after)} MB, ${f(post.ms)} ms`);
  console.log(`GET:  peak ${f(get.peak)} MB (growth ${f(get.peak - idle)}), after ${f(get.after)} MB, ${f(get.ms)} ms`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (db === 'postgres') {
    const a = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
    await a.raw(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    await a.destroy();
  }
  rmSync(dir, { recursive: true, force: true });
}
