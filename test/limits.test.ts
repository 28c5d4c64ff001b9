// Limits (issue #11): slow clients against the listening server (header, request and keep-alive timeouts,
// minimum body rate, header size and count), request body size (413), and limit/offset on every list.
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { loadConfig, ConfigError } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { forEachDatabase, contract, type TestUser } from './support/app.js';
import { insertCase, newExecution, newInstance } from './support/executions.js';

/** Hang guard for anything that waits on the server; the assertions never depend on how fast it answers. */
const DEADLINE_MS = 15_000;

interface RawReply {
  status?: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection. */
  closed: boolean;
}

/** A raw HTTP/1.1 client: connect, write chunks over time, collect what the server sends until it closes. */
class RawClient {
  readonly socket: Socket;
  private data = Buffer.alloc(0);
  readonly closed: Promise<void>;
  private writing = true;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.on('data', (d: Buffer) => (this.data = Buffer.concat([this.data, d])));
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      this.writing = false;
      resolve();
    }));
  }

  write(text: string | Buffer): void {
    if (this.writing && !this.socket.destroyed) this.socket.write(text);
  }

  /** Writes `text` one piece at a time, `everyMs` apart, until done or the server closes the connection. */
  async trickle(text: string, pieceBytes: number, everyMs: number): Promise<void> {
    for (let i = 0; i < text.length && this.writing; i += pieceBytes) {
      this.write(text.slice(i, i + pieceBytes));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** The first complete response on the connection (status line, headers, Content-Length body), or what came before the close. */
  async reply(): Promise<RawReply> {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const parsed = this.parse();
      if (parsed) return parsed;
      if (this.socket.destroyed) return { ...(this.parse(true) ?? { headers: {}, body: '' }), closed: true };
      if (Date.now() > deadline) throw new Error(`no reply within ${DEADLINE_MS} ms; got ${JSON.stringify(this.data.toString().slice(0, 200))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Resolves true when the server closes the connection before the hang guard. */
  async closedByServer(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), DEADLINE_MS)));
    const result = await Promise.race([this.closed.then(() => true), guard]);
    clearTimeout(timer);
    return result;
  }

  private parse(partial = false): RawReply | undefined {
    const text = this.data.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return partial && text ? { headers: {}, body: text, closed: true } : undefined;
    const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = this.data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
    if (body.length < length && !partial) return undefined;
    return { status: Number(statusLine!.split(' ')[1]), headers, body: body.subarray(0, length).toString(), closed: this.socket.destroyed };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function json(reply: RawReply): { error?: string } {
  expect(reply.headers['content-type'], JSON.stringify(reply)).to.match(/application\/json/);
  return JSON.parse(reply.body) as { error?: string };
}

describe('HTTP server limits (listening server, raw sockets)', function () {
  this.timeout(60_000);
  let dir: string;
  let running: RunningServer;
  const clients: RawClient[] = [];
  const client = () => {
    const c = new RawClient(running.url);
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cornflow-limits-'));
    const config = loadConfig({
      DATABASE_URL: `sqlite:///${join(dir, 'cornflow.db')}`,
      HOST: '127.0.0.1',
      PORT: '0',
      CORNFLOW_LOG_SILENT: '1',
      CORNFLOW_DATA_DIR: dir,
      CORNFLOW_LOCAL_RUNNER: '0',
      CORNFLOW_HEADERS_TIMEOUT_MS: '1000',
      CORNFLOW_REQUEST_TIMEOUT_MS: '4000',
      CORNFLOW_KEEP_ALIVE_TIMEOUT_MS: '500',
      CORNFLOW_MIN_BODY_RATE: '200',
      CORNFLOW_MAX_HEADER_SIZE: '8kb',
      CORNFLOW_MAX_HEADERS_COUNT: '50',
    });
    running = await startServer(config);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  after(async () => {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a normal request on a raw connection', async () => {
    const c = client();
    c.write('GET /health/ HTTP/1.1\r\nHost: x\r\n\r\n');
    const reply = await c.reply();
    expect(reply.status).to.equal(200);
    expect(json(reply)).to.have.property('cornflow_status');
  });

  it('slow headers (one byte at a time): 408 JSON and the connection is closed, long before the headers would be complete', async () => {
    const c = client();
    // 40 s of headers at 1 byte per 200 ms; the server gives 1 s.
    const headers = `GET /health/ HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`;
    void c.trickle(headers, 1, 200);
    const reply = await c.reply();
    expect(reply.status).to.equal(408);
    expect(json(reply).error).to.match(/CORNFLOW_HEADERS_TIMEOUT_MS/);
    expect(await c.closedByServer()).to.equal(true);
  });

  it('a connection that never sends a byte is closed', async () => {
    const c = client();
    expect(await c.closedByServer()).to.equal(true);
  });

  it('slow body (a few bytes per second): 408 JSON and the connection closed', async () => {
    const c = client();
    const body = JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234', pad: 'x'.repeat(300) });
    c.write(`POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    void c.trickle(body, 2, 200);
    const reply = await c.reply();
    expect(reply.status).to.equal(408);
    expect(json(reply).error).to.match(/CORNFLOW_MIN_BODY_RATE/);
    expect(await c.closedByServer()).to.equal(true);
  });

  it('slow chunked body: 408 as well', async () => {
    const c = client();
    c.write('POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunks = Array.from({ length: 200 }, () => '1\r\n \r\n').join('');
    void c.trickle(chunks, 6, 300);
    const reply = await c.reply();
    expect(reply.status).to.equal(408);
    expect(await c.closedByServer()).to.equal(true);
  });

  it('a body that keeps a steady rate is accepted even when it takes longer than the header timeout', async () => {
    const c = client();
    const body = JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }) + ' '.repeat(1500);
    c.write(`POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    // About 1,000 bytes per second for about 1.5 s (the server asks for 200 per second after the first second).
    await c.trickle(body, 100, 100);
    const reply = await c.reply();
    expect(reply.status, reply.body).to.equal(200);
    expect(json(reply)).to.have.property('token');
  });

  it('a body above the minimum rate but longer than CORNFLOW_REQUEST_TIMEOUT_MS: 408', async () => {
    const c = client();
    const body = JSON.stringify({ username: 'cornflow_admin', password: 'x'.repeat(8000) });
    c.write(`POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    // About 1,000 bytes per second (five times the minimum rate): 8 s in all, twice the request timeout.
    void c.trickle(body, 100, 100);
    const reply = await c.reply();
    expect(reply.status).to.equal(408);
    expect(json(reply).error).to.match(/CORNFLOW_REQUEST_TIMEOUT_MS/);
    expect(await c.closedByServer()).to.equal(true);
  });

  it('closes an idle keep-alive connection after its response', async () => {
    const c = client();
    c.write('GET /health/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    const reply = await c.reply();
    expect(reply.status).to.equal(200);
    expect(reply.headers.connection).to.equal('keep-alive');
    expect(await c.closedByServer()).to.equal(true);
  });

  it('keeps serving other clients while many connections trickle headers, trickle bodies or sit idle, then closes them all', async () => {
    const attackers: RawClient[] = [];
    for (let i = 0; i < 60; i++) {
      const c = client();
      attackers.push(c);
      if (i % 3 === 0) void c.trickle(`GET /health/ HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`, 1, 100);
      else if (i % 3 === 1) {
        c.write('POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
        void c.trickle('{' + ' '.repeat(998) + '}', 1, 100);
      }
    }
    // Requests from a normal client on other connections are answered during the attack.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${running.url}/health/`, { signal: AbortSignal.timeout(DEADLINE_MS) });
      expect(res.status).to.equal(200);
      await new Promise((r) => setTimeout(r, 300));
    }
    const login = await fetch(`${running.url}/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'cornflow_admin', password: 'Cornflow_admin1234' }),
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
    expect(login.status).to.equal(200);
    const closed = await Promise.all(attackers.map((c) => c.closedByServer()));
    expect(closed.every(Boolean), `${closed.filter((x) => !x).length} attacking connections still open`).to.equal(true);
  });

  it('headers larger than CORNFLOW_MAX_HEADER_SIZE: 431 JSON', async () => {
    const c = client();
    c.write(`GET /health/ HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10 * 1024)}\r\n\r\n`);
    const reply = await c.reply();
    expect(reply.status).to.equal(431);
    expect(json(reply).error).to.match(/CORNFLOW_MAX_HEADER_SIZE/);
  });

  it('a large Authorization header below the size limit is fine', async () => {
    const c = client();
    c.write(`GET /health/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(6 * 1024)}\r\n\r\n`);
    expect((await c.reply()).status).to.equal(200);
  });

  it('more headers than CORNFLOW_MAX_HEADERS_COUNT: 431 JSON; exactly the limit is fine', async () => {
    const headers = (n: number) => Array.from({ length: n - 1 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
    let c = client();
    c.write(`GET /health/ HTTP/1.1\r\nHost: x\r\n${headers(50)}\r\n`);
    expect((await c.reply()).status).to.equal(200);
    c = client();
    c.write(`GET /health/ HTTP/1.1\r\nHost: x\r\n${headers(51)}\r\n`);
    let reply = await c.reply();
    expect(reply.status).to.equal(431);
    expect(json(reply).error).to.match(/CORNFLOW_MAX_HEADERS_COUNT/);
    c = client();
    c.write(`GET /health/ HTTP/1.1\r\nHost: x\r\n${headers(3000)}\r\n`);
    reply = await c.reply();
    expect(reply.status).to.equal(431);
  });

  it('garbage instead of HTTP: 400 JSON', async () => {
    const c = client();
    c.write('HELLO\r\n\r\n');
    const reply = await c.reply();
    expect(reply.status).to.equal(400);
    expect(json(reply).error).to.be.a('string');
  });
});

describe('HTTP limits configuration', () => {
  it('has production defaults', () => {
    const config = loadConfig({});
    expect(config.http).to.deep.equal({
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 1_800_000,
      keepAliveTimeoutMs: 5_000,
      minBodyBytesPerSecond: 1024,
      maxHeaderBytes: 16 * 1024,
      maxHeadersCount: 100,
    });
  });

  it('reads sizes with units and 0 as off', () => {
    const config = loadConfig({ CORNFLOW_MIN_BODY_RATE: '0', CORNFLOW_REQUEST_TIMEOUT_MS: '0', CORNFLOW_MAX_HEADER_SIZE: '32kb', CORNFLOW_MAX_HEADERS_COUNT: '0' });
    expect(config.http).to.include({ minBodyBytesPerSecond: 0, requestTimeoutMs: 0, maxHeaderBytes: 32 * 1024, maxHeadersCount: 0 });
  });

  for (const [env, name] of [
    [{ CORNFLOW_HEADERS_TIMEOUT_MS: 'soon' }, 'CORNFLOW_HEADERS_TIMEOUT_MS'],
    [{ CORNFLOW_HEADERS_TIMEOUT_MS: '0' }, 'CORNFLOW_HEADERS_TIMEOUT_MS'],
    [{ CORNFLOW_REQUEST_TIMEOUT_MS: '-1' }, 'CORNFLOW_REQUEST_TIMEOUT_MS'],
    [{ CORNFLOW_HEADERS_TIMEOUT_MS: '5000', CORNFLOW_REQUEST_TIMEOUT_MS: '1000' }, 'CORNFLOW_HEADERS_TIMEOUT_MS'],
    [{ CORNFLOW_KEEP_ALIVE_TIMEOUT_MS: '1.5' }, 'CORNFLOW_KEEP_ALIVE_TIMEOUT_MS'],
    [{ CORNFLOW_MIN_BODY_RATE: 'fast' }, 'CORNFLOW_MIN_BODY_RATE'],
    [{ CORNFLOW_MAX_HEADER_SIZE: '100' }, 'CORNFLOW_MAX_HEADER_SIZE'],
    [{ CORNFLOW_MAX_HEADERS_COUNT: 'many' }, 'CORNFLOW_MAX_HEADERS_COUNT'],
  ] as const) {
    it(`stops with a message naming ${name} for ${JSON.stringify(env)}`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, name);
    });
  }
});

/** Rows of the tables a rejected upload could have written to. */
async function rowCounts(t: { knex: import('knex').Knex }): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['instances', 'executions', 'cases']) out[table] = Number((await t.knex(table).count({ n: '*' }))[0]!.n);
  return out;
}

const LIMIT = 4 * 1024;
/** A valid solve_model_dag instance (x + y >= 2, minimise x + 2y). */
const TINY_MODEL = JSON.stringify({
  parameters: { name: 'tiny', sense: 1, status: 0, sol_status: 0 },
  sos1: [],
  sos2: [],
  objective: { name: 'obj', coefficients: [{ name: 'x', value: 1 }, { name: 'y', value: 2 }] },
  constraints: [{ name: 'c1', sense: 1, pi: null, constant: -2, coefficients: [{ name: 'x', value: 1 }, { name: 'y', value: 1 }] }],
  variables: ['x', 'y'].map((name) => ({ name, lowBound: 0, upBound: null, cat: 'Continuous', varValue: null, dj: null })),
});
const execDir = mkdtempSync(join(tmpdir(), 'cornflow-limits-files-'));

forEachDatabase(
  'request body size',
  (t) => {
    let planner: TestUser;
    let service: TestUser;
    let caseId: number;
    let executionId: string;
    let server: Server;
    let url: string;
    before(async () => {
      planner = await t.user('planner');
      service = await t.user('service');
      caseId = await insertCase(t, planner);
      executionId = (await newExecution(t, planner, await newInstance(t, planner))).body.id as string;
      server = createServer(t.app);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const address = server.address() as { port: number };
      url = `http://127.0.0.1:${address.port}`;
    });
    after(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

    // The JSON routes that inflate gzip bodies, with a body each accepts when small.
    const inflating = () => [
      { method: 'post' as const, path: '/instance/', body: (pad: string) => `{"name": "i", "schema": "solve_model_dag", "data": ${TINY_MODEL}}${pad}` },
      { method: 'post' as const, path: '/case/', body: (pad: string) => `{"name": "c", "schema": "solve_model_dag", "data": ${TINY_MODEL}}${pad}` },
      { method: 'patch' as const, path: `/case/${caseId}/data/`, body: (pad: string) => `{"data_patch": []}${pad}` },
    ];

    it('a JSON body over CORNFLOW_MAX_BODY_SIZE: 413 JSON on every inflating route, nothing written', async () => {
      const before = await rowCounts(t);
      for (const route of inflating()) {
        const res = await t.raw()[route.method](route.path).set('Authorization', `Bearer ${planner.token}`).set('Content-Type', 'application/json').send(route.body(' '.repeat(LIMIT)));
        contract.check(route.method, route.path, res);
        expect(res.status, `${route.path}: ${res.text}`).to.equal(413);
        expect(res.body.error).to.equal(`The request body is larger than the limit of ${LIMIT} bytes (CORNFLOW_MAX_BODY_SIZE).`);
      }
      expect(await rowCounts(t)).to.deep.equal(before);
    });

    it('a gzip body under the limit that inflates beyond it (gzip bomb): 413, nothing written', async () => {
      const before = await rowCounts(t);
      for (const route of inflating()) {
        const bomb = gzipSync(route.body(' '.repeat(2 * 1024 * 1024)));
        expect(bomb.length).to.be.below(LIMIT);
        const res = await t.gzipJson(route.method, route.path, bomb, planner.token);
        contract.check(route.method, route.path, res);
        expect(res.status, `${route.path}: ${res.text}`).to.equal(413);
        expect(res.body.error).to.match(/CORNFLOW_MAX_BODY_SIZE/);
      }
      expect(await rowCounts(t)).to.deep.equal(before);
      // The same routes still accept a small gzip body.
      const ok = await t.gzipJson('post', '/instance/', gzipSync(inflating()[0]!.body('')), planner.token);
      expect(ok.status, ok.text).to.equal(201);
    });

    it('a chunked body without Content-Length that grows beyond the limit: 413 JSON, nothing written', async () => {
      const before = await rowCounts(t);
      const c = new RawClient(url);
      try {
        c.write(`POST /instance/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${planner.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const piece = ' '.repeat(1024);
        c.write('{"name": "i", "data": {"a": 1}}'.length.toString(16) + '\r\n{"name": "i", "data": {"a": 1}}\r\n');
        for (let i = 0; i < 8; i++) c.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
        c.write('0\r\n\r\n');
        const reply = await c.reply();
        expect(reply.status).to.equal(413);
        expect(json(reply).error).to.match(/CORNFLOW_MAX_BODY_SIZE/);
      } finally {
        c.destroy();
      }
      expect(await rowCounts(t)).to.deep.equal(before);
    });

    it('a multipart MPS file over the limit: 413 JSON, nothing written', async () => {
      const before = await rowCounts(t);
      const res = await t
        .raw()
        .post('/instancefile/')
        .set('Authorization', `Bearer ${planner.token}`)
        .field('name', 'big')
        .attach('file', Buffer.from('*'.repeat(2 * LIMIT)), 'big.mps');
      contract.check('post', '/instancefile/', res);
      expect(res.status, res.text).to.equal(413);
      expect(res.body.error).to.equal(`The request body is larger than the limit of ${LIMIT} bytes (CORNFLOW_MAX_BODY_SIZE).`);
      expect(await rowCounts(t)).to.deep.equal(before);
    });

    it('a multipart execution-files zip over the limit: 413 JSON, no file written', async () => {
      const { readdirSync } = await import('node:fs');
      const filesBefore = readdirSync(execDir, { recursive: true }).length;
      const res = await t
        .raw()
        .post(`/execution/files/${executionId}/`)
        .set('Authorization', `Bearer ${service.token}`)
        .field('execution_files_status', '1')
        .attach('execution_file', Buffer.alloc(2 * LIMIT, 1), { filename: 'x.zip', contentType: 'application/zip' });
      contract.check('post', `/execution/files/${executionId}/`, res);
      expect(res.status, res.text).to.equal(413);
      expect(res.body.error).to.match(/CORNFLOW_MAX_BODY_SIZE/);
      expect(readdirSync(execDir, { recursive: true }).length).to.equal(filesBefore);
    });

    it('a multipart body with several files: 413 (one file per upload)', async () => {
      const res = await t
        .raw()
        .post('/instancefile/')
        .set('Authorization', `Bearer ${planner.token}`)
        .field('name', 'two')
        .attach('file', Buffer.from('NAME x\n'), 'a.mps')
        .attach('file', Buffer.from('NAME x\n'), 'b.mps');
      contract.check('post', '/instancefile/', res);
      expect(res.status, res.text).to.equal(413);
      expect(res.body.error).to.equal('Only one file may be uploaded per request.');
    });
  },
  { CORNFLOW_MAX_BODY_SIZE: String(LIMIT), EXECUTION_FILES: '1', EXECUTION_FILES_PATH: execDir },
);

const ROWS = 25;
/** Values of limit/offset that are not a non-negative integer the database can take: 400, never a 500. */
const BAD_VALUES = ['-1', '1.5', 'abc', '', '1e30', '99999999999999999999999', '0x10', ' ', '1e3', 'Infinity', 'NaN', '[]'];

forEachDatabase('list limits', (t) => {
  let planner: TestUser;
  let admin: TestUser;
  let service: TestUser;
  /** Every row of each paginated list as the caller sees it, newest first. */
  const lists: { op: string; path: string; token: () => string }[] = [
    { op: 'listInstances', path: '/instance/', token: () => planner.token },
    { op: 'listExecutions', path: '/execution/', token: () => planner.token },
    { op: 'listCases', path: '/case/', token: () => planner.token },
    { op: 'listTableRows', path: '/table/instances/', token: () => service.token },
    { op: 'listTableRows', path: '/table/executions/', token: () => service.token },
    { op: 'listTableRows', path: '/table/cases/', token: () => service.token },
  ];

  before(async function () {
    this.timeout(120_000);
    planner = await t.user('planner');
    admin = await t.user('admin');
    service = await t.user('service');
    const instance = await newInstance(t, planner);
    for (let i = 1; i < ROWS; i++) await newInstance(t, planner);
    for (let i = 0; i < ROWS; i++) {
      const res = await newExecution(t, planner, instance);
      expect(res.status, res.text).to.equal(201);
    }
    for (let i = 0; i < ROWS; i++) await insertCase(t, planner);
  });

  const ids = (body: { id: unknown }[]) => body.map((r) => r.id);

  for (const list of lists) {
    describe(`${list.op} ${list.path}`, () => {
      let all: unknown[];
      before(async () => {
        const res = await t.get(list.path, { token: list.token(), query: { limit: 1000 } });
        expect(res.status, res.text).to.equal(200);
        all = ids(res.body);
        expect(all).to.have.length(ROWS);
      });

      it('answers 10 rows by default, the newest first', async () => {
        const res = await t.get(list.path, { token: list.token() });
        expect(res.status).to.equal(200);
        expect(ids(res.body)).to.deep.equal(all.slice(0, 10));
      });

      it('pages with limit/offset over every row, without gaps or repeats', async () => {
        const seen: unknown[] = [];
        for (let offset = 0; offset < ROWS; offset += 7) {
          const res = await t.get(list.path, { token: list.token(), query: { limit: 7, offset } });
          expect(res.status).to.equal(200);
          expect(res.body).to.have.length(Math.min(7, ROWS - offset));
          seen.push(...ids(res.body));
        }
        expect(seen).to.deep.equal(all);
      });

      it('offset past the end: []', async () => {
        for (const offset of [ROWS, 10_000, Number.MAX_SAFE_INTEGER]) {
          const res = await t.get(list.path, { token: list.token(), query: { offset } });
          expect(res.status, `offset=${offset}: ${res.text.slice(0, 300)}`).to.equal(200);
          expect(res.body).to.deep.equal([]);
        }
      });

      it('limit=0: []', async () => {
        const res = await t.get(list.path, { token: list.token(), query: { limit: 0 } });
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal([]);
      });

      it('a very large limit (up to the largest 64-bit integer) answers every row', async () => {
        for (const limit of ['1000000', String(Number.MAX_SAFE_INTEGER), '9223372036854775807']) {
          const res = await t.get(`${list.path}?limit=${limit}`, { token: list.token() });
          expect(res.status, `limit=${limit}: ${res.text.slice(0, 300)}`).to.equal(200);
          expect(ids(res.body)).to.deep.equal(all);
        }
      });

      for (const param of ['limit', 'offset']) {
        it(`${param} that is negative, fractional, not a number, empty or beyond 64 bits: 400 JSON`, async () => {
          for (const value of [...BAD_VALUES, '9223372036854775808000']) {
            const res = await t.get(`${list.path}?${param}=${encodeURIComponent(value)}`, { token: list.token() });
            expect(res.status, `${param}=${JSON.stringify(value)}: ${res.text.slice(0, 300)}`).to.equal(400);
            expect(res.body.error, `${param}=${JSON.stringify(value)}`).to.be.a('string').and.match(new RegExp(param));
          }
          const twice = await t.get(`${list.path}?${param}=1&${param}=2`, { token: list.token() });
          expect(twice.status, twice.text).to.be.oneOf([200, 400]);
        });
      }
    });
  }

  describe('lists without pagination answer every row', () => {
    it('listUsers', async () => {
      for (let i = 0; i < ROWS; i++) await t.user('viewer');
      const res = await t.get('/user/', { token: admin.token, query: { limit: 1 } });
      expect(res.status).to.equal(200);
      expect(res.body.length).to.be.above(ROWS);
    });

    it('listRoles', async () => {
      const before = (await t.get('/roles/', { token: admin.token })).body.length as number;
      for (let i = 0; i < ROWS; i++) {
        const res = await t.post('/roles/', { token: admin.token, body: { name: `role_${i}` } });
        expect(res.status, res.text).to.equal(201);
      }
      const res = await t.get('/roles/', { token: admin.token, query: { limit: 1 } });
      expect(res.status).to.equal(200);
      expect(res.body.length).to.equal(before + ROWS);
    });

    it('listPermissions, listApiViews, listUserRoles', async () => {
      for (const path of ['/permission/', '/apiview/', '/user/role/']) {
        const res = await t.get(path, { token: admin.token, query: { limit: 1 } });
        expect(res.status, path).to.equal(200);
        expect(res.body.length, path).to.be.above(10);
      }
    });

    it('listTableRows of other tables: every row without limit, limit=0 also every row, limit/offset when given', async () => {
      const all = await t.get('/table/users/', { token: service.token });
      expect(all.status).to.equal(200);
      expect(all.body.length).to.be.above(ROWS);
      const zero = await t.get('/table/users/', { token: service.token, query: { limit: 0 } });
      expect(zero.body).to.have.length(all.body.length);
      const page = await t.get('/table/users/', { token: service.token, query: { limit: 5, offset: 3 } });
      expect(ids(page.body)).to.deep.equal(ids(all.body).slice(3, 8));
      for (const value of BAD_VALUES) {
        const res = await t.get(`/table/users/?limit=${encodeURIComponent(value)}`, { token: service.token });
        expect(res.status, `limit=${JSON.stringify(value)}: ${res.text.slice(0, 300)}`).to.equal(400);
      }
    });
  });
});
