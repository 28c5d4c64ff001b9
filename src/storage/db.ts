// The knex instance. SQLite (better-sqlite3) is the embedded default; PostgreSQL through pg.
// Both return the same JS types for the columns we read: timestamps and JSON as text, counts as numbers
// (the row mappers turn them into API values).
import knex, { type Knex } from 'knex';
import pg from 'pg';
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

export function knexConfig(config: Config): Knex.Config {
  const migrations = { migrationSource, tableName: MIGRATIONS_TABLE };
  if (config.database.client === 'pg') {
    return {
      client: 'pg',
      connection: { connectionString: config.database.connectionString, types: pgTypes } as Knex.PgConnectionConfig,
      pool: { min: 0, max: 10 },
      migrations,
    };
  }
  return {
    client: 'better-sqlite3',
    connection: { filename: config.database.filename },
    useNullAsDefault: true,
    pool: {
      // cornflow turns foreign keys on for every SQLite connection.
      afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        try {
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

export function createDb(config: Config): Db {
  return knex(knexConfig(config));
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
