// Spec-driven fuzzing of every operation in the bundled spec: valid and deliberately invalid requests
// (wrong types, missing/extra fields, huge strings, deep nesting, bad encodings, invalid JSON, wrong content
// types, bad path ids), with no token, bad tokens and a token of each role. Never a 5xx, every response as the
// spec declares it, and the database unchanged after every rejected request. Seeded (CORNFLOW_TEST_SEED);
// CORNFLOW_FUZZ_RUNS sets the number of requests per database.
import { request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import fc from 'fast-check';
import { contract, forEachDatabase } from './support/app.js';
import { NOT_FOUND_BODY } from '../src/api/errors.js';
import { caseArbitrary, encodeCase, FUZZ_SEED, fuzzOperations, listTables, snapshot, type EncodedRequest } from './support/fuzz.js';

const RUNS = Number(process.env.CORNFLOW_FUZZ_RUNS ?? 5200);

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

function send(agent: Agent, port: number, r: EncodedRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: r.method, path: r.url, headers: { ...r.headers, 'content-length': String(r.body?.length ?? 0) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = {};
        if (/json/.test(res.headers['content-type'] ?? '') && text) {
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    // A hang guard, not a timing assertion: a request the server never answers fails the run naming the case.
    req.setTimeout(60_000, () => req.destroy(new Error('no response within 60 s')));
    req.end(r.body);
  });
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

forEachDatabase('fuzz', (t) => {
  it(`${RUNS} generated requests over every operation: no 5xx, as the spec says, nothing changed on rejection`, async function () {
    this.timeout(300_000);
    const spec = contract.spec;
    const ops = fuzzOperations(spec);
    expect(ops.length).to.be.greaterThan(30);

    // Tokens of each role, and objects to aim at (ids of rows in every table, refreshed as the run goes).
    const tokens: Record<string, string> = {};
    const own = new Set<string>();
    for (const role of ['viewer', 'planner', 'admin', 'service'] as const) {
      const u = await t.user(role);
      tokens[role] = u.token;
      own.add(String(u.id));
    }
    const norole = await t.user(null);
    tokens.norole = norole.token;
    own.add(String(norole.id));
    for (let i = 0; i < 3; i++) {
      await t.post('/instance/', { token: tokens.planner, body: { name: `fuzz ${i}`, data: { parameters: { name: 'x' } }, schema: 'solve_model_dag' } });
      await t.user('planner');
    }
    const tables = await listTables(t.knex);
    let pool: string[] = [];
    const refreshPool = async () => {
      const values = new Set<string>(['solve_model_dag', 'admin', 'planner', '1', '2', '3', '4']);
      for (const table of tables) {
        const cols = await t.knex(table).columnInfo();
        for (const col of ['id', 'name']) {
          if (!(col in cols)) continue;
          const rows = await t.knex(table).select(col).orderBy(col, 'desc').limit(4);
          for (const r of rows) if (r[col] !== null && !(table === 'users' && own.has(String(r[col])))) values.add(String(r[col]));
        }
      }
      pool = [...values];
    };
    await refreshPool();

    // The production HTTP server: what Node refuses before the app (a 200 KB path: 431) is answered in JSON.
    const { port, close } = await t.listen();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });

    const cases = fc.sample(caseArbitrary(spec, ops), { seed: FUZZ_SEED, numRuns: RUNS });
    const statuses = new Map<number, number>();
    const perOp = new Map<string, number>();
    let rejected = 0;
    let before = await snapshot(t.knex, tables);
    try {
      for (const [i, c] of cases.entries()) {
        if (i % 250 === 0) await refreshPool();
        const r = encodeCase(c, () => pool, tokens);
        const mutating = MUTATING.has(r.method);
        const res = await send(agent, port, r).catch((err: unknown) => {
          throw new Error(`case ${i} (seed ${FUZZ_SEED}) ${r.method} ${r.url.slice(0, 200)}: ${String(err)}`);
        });
        const where = `case ${i} (seed ${FUZZ_SEED}) ${c.op.operationId} ${c.bodyMode}/${c.pathMode}/${c.token}: ${r.method} ${r.url.slice(0, 120)}`;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        perOp.set(c.op.operationId, (perOp.get(c.op.operationId) ?? 0) + 1);
        // A 5xx only where the operation declares that exact status on purpose (501: e-mail not configured).
        const declared = Object.keys(((spec.paths[c.op.path] as Record<string, { responses: object }>)[c.op.method]!).responses);
        if (!(res.status > 500 && declared.includes(String(res.status)))) expect(res.status, `${where} → ${res.text.slice(0, 300)}`).to.be.below(500);
        // Werkzeug's "no such route" (a path id its converter refuses, e.g. /roles/abc/) is outside the contract.
        const noRoute = res.status === 404 && (res.body as { message?: string }).message === NOT_FOUND_BODY.message;
        // So is the HTTP server's refusal of a request line or headers over CORNFLOW_MAX_HEADER_SIZE (src/http-limits.ts),
        // answered before any route is looked up; it must still be JSON naming the limit.
        const headerLimit = res.status === 431;
        if (headerLimit) expect((res.body as { error?: string }).error, where).to.match(/CORNFLOW_MAX_HEADER_SIZE/);
        if (!noRoute && !headerLimit) try {
          contract.check(r.method, r.url, res);
        } catch (err) {
          throw new Error(`${where}: ${(err as Error).message.slice(0, 600)}`);
        }
        if (mutating || c.op.operationId === 'login') {
          const after = await snapshot(t.knex, tables);
          if (res.status >= 400) {
            rejected += 1;
            expect(after, `${where} → ${res.status} changed the database`).to.equal(before);
          }
          before = after;
        }
      }
    } finally {
      agent.destroy();
      await close();
    }
    // Every operation of the spec was exercised, with both outcomes overall.
    for (const op of ops) expect(perOp.get(op.operationId) ?? 0, op.operationId).to.be.greaterThan(10);
    expect([...statuses.keys()].some((s) => s < 300)).to.equal(true);
    if (process.env.CORNFLOW_FUZZ_VERBOSE) console.log(t.kind, Object.fromEntries(statuses), 'rejected writes checked:', rejected);
  });
});

// What the fuzzing found, pinned down.
forEachDatabase('fuzz regressions', (t) => {
  it('a body on an operation that takes none is ignored (GET /health/ with broken JSON → 200)', async () => {
    const res = await t.raw().get('/health/').set('Content-Type', 'application/json').send('{broken');
    expect(res.status).to.equal(200);
    contract.check('get', '/health/', res);
  });

  it('POST /instance/ with bytes that are not UTF-8 → 400 Invalid JSON body, nothing stored', async () => {
    const u = await t.user('planner');
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const agent = new Agent();
      const body = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('","data":{"a":1}}')]);
      const res = await send(agent, port, { method: 'POST', url: '/instance/', headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' }, body });
      agent.destroy();
      expect(res.status, res.text).to.equal(400);
      expect(res.body).to.deep.equal({ messages: { json: ['Invalid JSON body.'] } });
      contract.check('post', '/instance/', res);
      expect(await t.knex('instances')).to.have.length(0);
    } finally {
      server.close();
    }
  });

  it('a text longer than its column: 400 on PostgreSQL (its VARCHAR refuses it), nothing written; SQLite stores it as cornflow did', async () => {
    const admin = await t.user('admin');
    const roles = await t.count('roles');
    const name = 'r'.repeat(129); // roles.name is VARCHAR(128)
    const res = await t.post('/roles/', { token: admin.token, body: { name } });
    if (t.kind === 'postgres') {
      expect(res.status, res.text).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'The data sent is not valid: a text is longer than its database column allows.' });
      expect(await t.count('roles')).to.equal(roles);
    } else {
      expect(res.status, res.text).to.equal(201);
      expect(await t.count('roles')).to.equal(roles + 1);
    }
    const planner = await t.user('planner');
    const instances = await t.count('instances');
    const instance = await t.post('/instance/', { token: planner.token, body: { name: 'i'.repeat(257), data: { objective: { name: 'o', coefficients: [] }, constraints: [], variables: [], parameters: { name: 'p', sense: 1 }, sos1: [], sos2: [] } } }); // VARCHAR(256)
    expect(instance.status, instance.text).to.equal(t.kind === 'postgres' ? 400 : 201);
    expect(await t.count('instances')).to.equal(instances + (t.kind === 'postgres' ? 0 : 1));
  });
});
