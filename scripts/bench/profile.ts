// CPU time per request of a few operations, in process (less sensitive to a busy machine than req/s):
// node --import tsx scripts/bench/profile.ts [--cpu-prof]
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { prepare } from '../../src/bootstrap.js';
import { createApp } from '../../src/app.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const config = loadConfig({ SECRET_KEY: 'p', DATABASE_URL: process.env.PROFILE_DB ?? 'sqlite:///:memory:', CORNFLOW_LOG_SILENT: '1', CORNFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), 'cf-prof-')) });
const deps = await prepare(config, { logger: pino({ level: 'silent' }) });
const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const { port } = server.address() as AddressInfo;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const login = await call('POST', '/login/', { 'content-type': 'application/json' }, JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }));
const token = JSON.parse(login.text).token as string;
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
for (let i = 0; i < 10; i++) await call('POST', '/instance/', auth, JSON.stringify({ name: `i${i}`, data: { parameters: { name: 'x' }, variables: [] } }));
async function measure(label: string, n: number, fn: () => Promise<{ status: number }>) {
  for (let i = 0; i < 20; i++) await fn();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += 8) {
    const res = await Promise.all(Array.from({ length: 8 }, fn));
    if (res.some((r) => r.status >= 300)) throw new Error(`${label}: ${res.map((r) => r.status)}`);
  }
  const cpu = process.cpuUsage(c0);
  console.log(`${label.padEnd(34)} ${(((cpu.user + cpu.system) / 1000) / n).toFixed(3)} ms CPU/request (client included), ${((performance.now() - t0) / n).toFixed(3)} ms wall/request`);
}
const N = Number(process.env.PROFILE_N ?? 800);
await measure('GET /health/', N, () => call('GET', '/health/'));
await measure('GET /instance/ (10)', N, () => call('GET', '/instance/', auth));
await measure('GET /token/', N, () => call('GET', '/token/', auth));
agent.destroy();
server.close();
await deps.db.destroy();
