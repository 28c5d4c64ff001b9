// The request log: one pino JSON line per request, written to a destination stream the test reads back.
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import request from 'supertest';
import type { Express } from 'express';
import { forEachDatabase, testConfig } from './support/app.js';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/bootstrap.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  userId?: number;
  user?: string;
  operationId?: string;
  method?: string;
  path?: string;
  status?: number;
  ms?: number;
  [key: string]: unknown;
}

/** A pino destination that keeps every line it is given. */
class Capture extends Writable {
  raw = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.raw += chunk.toString('utf8');
    done();
  }
  lines(): LogLine[] {
    return this.raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  }
  requests(): LogLine[] {
    return this.lines().filter((l) => l.msg === 'request');
  }
  clear(): void {
    this.raw = '';
  }
}

/** The 'finish' listener runs just after supertest has the response: give it a turn of the event loop. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

forEachDatabase('request log', (t) => {
  const out = new Capture();
  let app: Express;

  before(() => {
    app = createApp({ ...t.deps, logger: pino({ level: 'info' }, out) });
  });
  beforeEach(() => out.clear());

  it('logs an authenticated 200 once, with the user, operationId, path and latency, and no token', async () => {
    const u = await t.user('planner');
    out.clear();
    const res = await request(app).get('/instance/?limit=5').set('Authorization', `Bearer ${u.token}`);
    await settled();
    expect(res.status).to.equal(200);
    const lines = out.requests();
    expect(lines).to.have.length(1);
    const line = lines[0]!;
    expect(line).to.include({ level: 30, reqId: res.headers['x-request-id'], userId: u.id, user: u.username, operationId: 'listInstances', method: 'GET', path: '/instance/', status: 200 });
    expect(line.ms).to.be.a('number').and.at.least(0);
    expect(out.raw).to.not.include(u.token);
    expect(out.raw).to.not.include('Bearer');
  });

  it('logs a 400 authentication failure without a user', async () => {
    const res = await request(app).get('/instance/').set('Authorization', 'Bearer not-a-token');
    await settled();
    expect(res.status).to.equal(400);
    const [line] = out.requests();
    expect(line).to.include({ operationId: 'listInstances', method: 'GET', path: '/instance/', status: 400 });
    expect(line).to.not.have.any.keys('user', 'userId');
    expect(out.raw).to.not.include('not-a-token');
  });

  it('names the user of a 403 (authenticated, refused by the permission check)', async () => {
    const u = await t.user('planner');
    out.clear();
    const res = await request(app).get('/user/').set('Authorization', `Bearer ${u.token}`);
    await settled();
    expect(res.status).to.equal(403);
    expect(out.requests()[0]).to.include({ userId: u.id, user: u.username, operationId: 'listUsers', status: 403 });
  });

  it('logs a 404 on an unknown path with no operationId', async () => {
    const res = await request(app).get('/no/such/path/?token=qsecretq');
    await settled();
    expect(res.status).to.equal(404);
    const [line] = out.requests();
    expect(line).to.include({ method: 'GET', path: '/no/such/path/', status: 404 });
    expect(line).to.not.have.any.keys('operationId', 'user');
    expect(out.raw).to.not.include('qsecretq');
  });

  it('never logs the body of a login (password) or the token it returns', async () => {
    const u = await t.user('planner');
    out.clear();
    const res = await request(app).post('/login/').send({ username: u.username, password: u.password });
    await settled();
    expect(res.status).to.equal(200);
    expect(out.requests()[0]).to.include({ operationId: 'login', method: 'POST', status: 200 });
    expect(out.raw).to.not.include(u.password);
    expect(out.raw).to.not.include(res.body.token as string);
  });

  it("keeps a well-formed X-Request-Id from a proxy and replaces an odd one", async () => {
    const kept = await request(app).get('/health/').set('X-Request-Id', 'edge-42.abc');
    expect(kept.headers['x-request-id']).to.equal('edge-42.abc');
    const odd = await request(app).get('/health/').set('X-Request-Id', 'x'.repeat(300));
    await settled();
    expect(odd.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    expect(out.requests().map((l) => l.reqId)).to.deep.equal(['edge-42.abc', odd.headers['x-request-id']]);
  });
});

describe('LOG_LEVEL', () => {
  it("maps cornflow's numeric levels onto pino's", () => {
    const level = (v: string) => createLogger(testConfig('sqlite:///:memory:', { CORNFLOW_LOG_SILENT: '', LOG_LEVEL: v })).level;
    expect(level('10')).to.equal('debug');
    expect(level('20')).to.equal('info');
    expect(level('30')).to.equal('warn');
    expect(level('40')).to.equal('error');
    expect(level('50')).to.equal('fatal');
  });
});
