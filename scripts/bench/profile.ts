// CPU time per request of a few operations, in process (less sensitive to a busy machine than req/s):
// node --import tsx scripts/bench/profile.ts [--cpu-prof]; PROFILE_ONLY=floor|stack|health|instance|token runs one,
// PROFILE_N requests per round, PROFILE_ROUNDS rounds (interleaved; the least CPU per request is kept)
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { prepare } from '../../src/bootstrap.js';
import { createApp, DATE_TIME } from '../../src/app.js';
import * as OpenApiValidator from 'express-openapi-validator';
import { mkdtempSync } from 'node:fs';
import { bigModel } from './big-model.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const config = loadConfig({ SECRET_KEY: 'p', DATABASE_URL: process.env.PROFILE_DB ?? 'sqlite:///:memory:', CORNFLOW_LOG_SILENT: '1', CORNFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), 'cf-prof-')) });
const deps = await prepare(config, { logger: pino({ level: 'silent' }) });
const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const { port } = server.address() as AddressInfo;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
// The floor: a bare Express 5 app answering a trivial GET, driven by the same client.
const bare = express();
bare.get('/bare/', (_req, res) => {
  res.json({ ok: true });
});
const bareServer = bare.listen(0, '127.0.0.1');
await new Promise((r) => bareServer.once('listening', r));
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string, to = port): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: to, method, path, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, agent }, (res) => {
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
// The bench's instances (scripts/bench/run.ts: ten of about 2 kB, valid for the default app's schema).
for (let i = 0; i < 10; i++) {
  const created = await call('POST', '/instance/', auth, JSON.stringify({ name: `i${i}`, data: bigModel(2_000) }));
  if (created.status !== 201) throw new Error(`create instance: ${created.status} ${created.text.slice(0, 200)}`);
}
// The mandated stack alone: Express 5 + express-openapi-validator on the same spec validating the request, an
// accepting security handler and the response, answering GET /instance/ with the same ten instances from memory.
// What no work of ours can go below (no token check, no database, no cornflow wire format).
const listed = JSON.parse((await call('GET', '/instance/', auth)).text) as unknown;
const stack = express();
stack.use(
  OpenApiValidator.middleware({
    apiSpec: structuredClone(deps.routes.spec) as never,
    validateRequests: { allowUnknownQueryParameters: true, allErrors: true },
    validateResponses: true,
    validateSecurity: { handlers: { bearerAuth: async () => true } },
    formats: { 'date-time': DATE_TIME },
  }),
);
stack.get('/instance/', (_req, res) => {
  res.json(listed);
});
const stackServer = stack.listen(0, '127.0.0.1');
await new Promise((r) => stackServer.once('listening', r));
const stackPort = (stackServer.address() as AddressInfo).port;
const results = new Map<string, number[]>();
async function measure(label: string, n: number, fn: () => Promise<{ status: number }>) {
  for (let i = 0; i < 20; i++) await fn();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i += 8) {
    const res = await Promise.all(Array.from({ length: 8 }, fn));
    if (res.some((r) => r.status >= 300)) throw new Error(`${label}: ${res.map((r) => r.status)}`);
  }
  const cpu = process.cpuUsage(c0);
  results.set(label, [...(results.get(label) ?? []), (cpu.user + cpu.system) / 1000 / n]);
}
const N = Number(process.env.PROFILE_N ?? 800);
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 5);
const ONLY = process.env.PROFILE_ONLY;
const barePort = (bareServer.address() as AddressInfo).port;
const scenarios: [string, string, () => Promise<{ status: number }>][] = [
  ['floor', 'bare Express 5 GET (floor)', () => call('GET', '/bare/', {}, undefined, barePort)],
  ['stack', 'Express 5 + eov, 10 instances from memory', () => call('GET', '/instance/', auth, undefined, stackPort)],
  ['health', 'GET /health/', () => call('GET', '/health/')],
  ['instance', 'GET /instance/ (10)', () => call('GET', '/instance/', auth)],
  ['token', 'GET /token/', () => call('GET', '/token/', auth)],
];
// Interleaved rounds, the least CPU per request of each kept: a busy machine inflates CPU time too (more wake-ups
// with fewer requests each), and the rounds spread that over every scenario alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const [key, label, fn] of scenarios) if (!ONLY || ONLY === key) await measure(label, N, fn);
}
const floor = Math.min(...(results.get('bare Express 5 GET (floor)') ?? [NaN]));
for (const [label, values] of results) {
  const best = Math.min(...values);
  console.log(`${label.padEnd(42)} ${best.toFixed(3)} ms CPU/request (client included; least of ${values.length})${Number.isNaN(floor) ? '' : `, ${((100 * floor) / best).toFixed(0)} % of the floor's rate`}`);
}
agent.destroy();
server.close();
bareServer.close();
stackServer.close();
await deps.db.destroy();
