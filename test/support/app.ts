// Test harness: a fresh database per suite (SQLite in memory, and a new PostgreSQL database), the real app
// from createApp(), and helpers that check every response against the contract.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig, type Config } from '../../src/config.js';
import { prepare } from '../../src/bootstrap.js';
import { createApp } from '../../src/app.js';
import { createHttpServer } from '../../src/http-limits.js';
import type { AppDeps } from '../../src/api/context.js';
import { ensureUserWithRole } from '../../src/domain/users.js';
import { ROLES } from '../../src/domain/access-constants.js';
import { ContractChecker } from './contract.js';
import { pino } from 'pino';

export type DatabaseKind = 'sqlite' | 'postgres';
export const DATABASES: DatabaseKind[] = (process.env.CORNFLOW_TEST_DBS ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is DatabaseKind => s === 'sqlite' || s === 'postgres');

/** The PostgreSQL server tests create their databases on. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_SECRET = 'TESTINGSECRETKEY';

export const contract = new ContractChecker();

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database of that kind. */
export async function createTestDatabase(kind: DatabaseKind, file?: string): Promise<TestDatabase> {
  if (kind === 'sqlite') return { url: file ? `sqlite:///${file}` : 'sqlite:///:memory:', drop: async () => {} };
  const name = `cornflow_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
      try {
        await a.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.destroy();
      }
    },
  };
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    FLASK_ENV: 'testing',
    SECRET_KEY: TEST_SECRET,
    DATABASE_URL: databaseUrl,
    SIGNUP_ACTIVATED: '1',
    CORNFLOW_LOG_SILENT: '1',
    CORNFLOW_DATA_DIR: mkdtempSync(join(tmpdir(), 'cornflow-test-')),
    ...env,
  });
}

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
  token: string;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
}

export class TestApp {
  app!: Express;
  deps!: AppDeps;
  db!: TestDatabase;
  private counter = 0;

  constructor(readonly kind: DatabaseKind, private readonly env: SuiteEnv = {}) {}

  async start(): Promise<void> {
    this.db = await createTestDatabase(this.kind);
    const config = testConfig(this.db.url, typeof this.env === 'function' ? this.env() : this.env);
    this.deps = await prepare(config, { logger: pino({ level: 'silent' }) });
    this.app = createApp(this.deps);
  }

  async stop(): Promise<void> {
    await this.deps?.db.destroy();
    rmSync(this.deps?.config.dataDir ?? '/nonexistent', { recursive: true, force: true });
    await this.db?.drop();
  }

  get knex() {
    return this.deps.db;
  }

  /** The number of rows in a table. */
  async count(table: string): Promise<number> {
    const [row] = await this.knex(table).count({ n: '*' });
    return Number(row!.n);
  }

  /** Sends a request and checks the response against the contract. */
  async call(method: Method, url: string, opts: CallOptions = {}) {
    let req = request(this.app)[method](url);
    if (opts.token !== undefined) req = req.set('Authorization', `Bearer ${opts.token}`);
    for (const [k, v] of Object.entries(opts.headers ?? {})) req = req.set(k, v);
    if (opts.query) req = req.query(opts.query);
    const res = opts.body === undefined ? await req : await req.send(opts.body as object);
    contract.check(method, url, res);
    return res;
  }

  get = (url: string, opts?: CallOptions) => this.call('get', url, opts);
  post = (url: string, opts?: CallOptions) => this.call('post', url, opts);
  put = (url: string, opts?: CallOptions) => this.call('put', url, opts);
  patch = (url: string, opts?: CallOptions) => this.call('patch', url, opts);
  delete = (url: string, opts?: CallOptions) => this.call('delete', url, opts);

  /**
   * The app on a loopback port behind the production HTTP server (src/http-limits.ts: header size and count,
   * timeouts, and the JSON answers to what Node refuses before the app, such as a 431).
   */
  async listen(): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
    const server = createHttpServer(this.deps.config.http, this.app, pino({ level: 'silent' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  /** Raw supertest, for requests the helpers cannot express; check the contract yourself. */
  raw() {
    return request(this.app);
  }

  /**
   * A JSON request whose body is sent as the given bytes with Content-Encoding: gzip (valid gzip or not: bombs
   * and broken streams too). Raw: check the contract yourself.
   */
  gzipJson(method: Method, url: string, gzipped: Buffer, token?: string) {
    let req = request(this.app)[method](url);
    if (token !== undefined) req = req.set('Authorization', `Bearer ${token}`);
    return req
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize((b: Buffer) => b as unknown as string)
      .send(gzipped as unknown as string);
  }

  async login(username: string, password: string): Promise<string> {
    const res = await this.post('/login/', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${res.text}`);
    return res.body.token as string;
  }

  /** A new user holding the given role, logged in. */
  async user(role: keyof typeof ROLES | null = 'planner'): Promise<TestUser> {
    this.counter += 1;
    const username = `${role ?? 'norole'}${this.counter}_${randomBytes(2).toString('hex')}`;
    const password = 'Testpass1!';
    const email = `${username}@example.com`;
    if (role === null) {
      const { createUser } = await import('../../src/domain/users.js');
      await createUser(this.knex, { username, email, password }, [], { openDeployment: true });
    } else {
      await ensureUserWithRole(this.knex, { username, email, password }, ROLES[role], true);
    }
    const row = await this.knex('users').where({ username }).first();
    return { id: Number(row.id), username, email, password, token: await this.login(username, password) };
  }
}

/** Environment of a suite; a function is called when the suite starts (after root-level `before` hooks). */
export type SuiteEnv = Record<string, string> | (() => Record<string, string>);

/** Declares a suite once per database kind, each with its own fresh database and app. */
export function forEachDatabase(title: string, body: (t: TestApp) => void, env: SuiteEnv = {}): void {
  for (const kind of DATABASES) {
    describe(`${title} [${kind}]`, function () {
      const t = new TestApp(kind, env);
      before(async function () {
        this.timeout(60_000);
        await t.start();
      });
      body(t);
      // Registered after the body's hooks, so it runs after them (mocha runs `after` hooks in the order they were
      // added): a suite's own clean-up (a local runtime still polling, a server) finishes before its database goes.
      after(async () => t.stop());
    });
  }
}
