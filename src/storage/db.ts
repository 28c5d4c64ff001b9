// The knex instance. SQLite (better-sqlite3) is the embedded default; PostgreSQL through pg.
// Both return the same JS types for the columns we read: timestamps and JSON as text, counts as numbers
// (the row mappers turn them into API values).
import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { migrationSource, MIGRATIONS_TABLE } from '../../migrations/index.js';
import { adoptCornflowDatabase } from './adoption.js';

/** Every knex migration of this version, in order. */
export async function migrationNames(): Promise<string[]> {
  return migrationSource.getMigrations([]);
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const PG_JSON = 114;
const PG_JSONB = 3802;
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;

// Scoped to our connections (not pg's global parsers), so an embedding process is not affected.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8 || oid === PG_NUMERIC) return (v: string) => Number(v);
    // Keep JSON as text: the mappers parse it the same way on both databases, and the text keeps numbers losslessly.
    if (oid === PG_JSON || oid === PG_JSONB) return (v: string) => v;
    // Naive UTC timestamps stay strings; pg would otherwise read them as local time.
    if (oid === PG_TIMESTAMP || oid === PG_TIMESTAMPTZ) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
};

interface SqliteConnection {
  pragma(s: string): unknown;
  prepare(sql: string): unknown;
}

/** Most statements a connection keeps prepared; past it the cache starts over (no unbounded growth from ad-hoc SQL). */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * knex prepares every query's SQL anew on better-sqlite3 (~5 % of an authenticated request's CPU); the same
 * few hundred statements repeat, so each connection keeps them. SQLite re-prepares a statement itself after a
 * schema change; knex sets safeIntegers only when a query asks (none here), so a reused statement carries no
 * mode from an earlier query.
 */
function cacheStatements(conn: SqliteConnection): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      cache.set(sql, statement);
    }
    return statement;
  };
}

/** The part of pg's Client used here; `connection.stream` is pg's socket (internal, hence the optional chain). */
interface PgConnection {
  query(config: unknown, callback?: (err: Error | null, res?: unknown) => void): unknown;
  connection?: { stream?: { destroy(): void } };
}

/**
 * CORNFLOW_DB_QUERY_TIMEOUT: a query the server has not answered within `ms` closes its connection. The query
 * fails with "Connection terminated unexpectedly" (a 503), knex's pool drops the connection, and a transaction
 * in progress is rolled back by the server. pg's own query_timeout cannot be used: it fails the query but keeps
 * the connection busy with it, so the pool would hand the stuck connection to the next request.
 */
function withAnswerDeadline(conn: PgConnection, ms: number): void {
  const query = conn.query.bind(conn);
  conn.query = (config, callback) => {
    if (typeof callback !== 'function') return query(config, callback);
    const timer = setTimeout(() => conn.connection?.stream?.destroy(), ms);
    return query(config, (err, res) => {
      clearTimeout(timer);
      callback(err, res);
    });
  };
}

export function knexConfig(config: Config): Knex.Config {
  const migrations = { migrationSource, tableName: MIGRATIONS_TABLE };
  if (config.database.client === 'pg') {
    const { connectSeconds, acquireSeconds, querySeconds } = config.databaseTimeouts;
    return {
      client: 'pg',
      connection: {
        connectionString: config.database.connectionString,
        types: pgTypes,
        // A database that does not answer fails the request (503) instead of holding it: pg waits forever by default.
        connectionTimeoutMillis: connectSeconds * 1000,
        // Idle pooled connections to a host that went away are noticed by the kernel, not at the next query.
        keepAlive: true,
      } as Knex.PgConnectionConfig,
      // A connection that failed (server restarted, 57P01, socket closed) is dropped by knex's pool, and the next
      // request opens a new one: the server recovers by itself once the database is back. A failed connect
      // rejects the waiting requests at once (propagateCreateError); the acquire timeout bounds the wait for a
      // free connection when all of them are busy.
      pool: {
        min: 0,
        max: 10,
        ...(querySeconds
          ? {
              afterCreate(conn: PgConnection, done: (err: Error | null, conn: unknown) => void) {
                withAnswerDeadline(conn, querySeconds * 1000);
                done(null, conn);
              },
            }
          : {}),
      },
      acquireConnectionTimeout: acquireSeconds * 1000,
      migrations,
    };
  }
  return {
    client: 'better-sqlite3',
    connection: { filename: config.database.filename },
    useNullAsDefault: true,
    pool: {
      // cornflow turns foreign keys on for every SQLite connection.
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        try {
          cacheStatements(conn);
          conn.pragma('foreign_keys = ON');
          if (config.database.client === 'better-sqlite3' && config.database.filename !== ':memory:') {
            conn.pragma('journal_mode = WAL');
            conn.pragma('busy_timeout = 5000');
          }
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
    migrations,
  };
}

export type Db = Knex;

export function createDb(config: Config, logger?: Logger): Db {
  return knex({ ...knexConfig(config), ...(logger ? { log: knexLog(logger) } : {}) });
}

/**
 * knex's own messages as JSON log lines instead of console output. A failed connection attempt is logged at
 * debug level: the request it failed answers 503 and is logged as 'database unavailable' by the error handler.
 */
function knexLog(logger: Logger): Knex.Config['log'] {
  const text = (m: unknown) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m));
  return {
    warn: (m: unknown) => {
      const msg = text(m);
      if (msg.startsWith('Acquire connection error')) logger.debug({ source: 'knex' }, msg.split('\n')[0]!);
      else logger.warn({ source: 'knex' }, msg);
    },
    error: (m: unknown) => logger.error({ source: 'knex' }, text(m)),
    deprecate: (method: string, alternative: string) => logger.warn({ source: 'knex' }, `${method} is deprecated, use ${alternative}`),
    debug: (m: unknown) => logger.debug({ source: 'knex' }, text(m)),
  };
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

/** Applies every pending migration; returns the names applied. */
export async function migrateLatest(db: Db): Promise<string[]> {
  // A database of the Flask cornflow: record our baseline first (src/storage/adoption.ts).
  await adoptCornflowDatabase(db, await migrationNames());
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Parses a JSON column value read back from either database (text, or already parsed). */
export function jsonColumn<T = unknown>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/**
 * A JSON column as the JSON text stored in it (number lexemes kept): SQLite gives text, pg gives text for json
 * columns read raw, a Buffer for bytea, or parsed values when a driver parses them.
 */
export function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  return Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v);
}

/** JSON text to write: a string, or its UTF-8 bytes (large texts, so no JS string of them is ever made). */
export type JsonTextValue = string | Buffer;

/** A JSON column's value for insert/update: bytes go through SQL that turns them into text on either database. */
export function jsonTextParam(db: Db, v: JsonTextValue): string | Knex.Raw {
  if (typeof v === 'string') return v;
  return db.raw(isPostgres(db) ? "convert_from(?, 'UTF8')::json" : 'CAST(? AS TEXT)', [v]);
}

/** Serialises a value for a JSON column (both databases accept text). */
export function toJsonColumn(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

export function boolColumn(v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  return v === true || v === 1 || v === '1' || v === 't' || v === 'true';
}
