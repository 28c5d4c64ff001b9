// Fixed SQL for the reads every request makes (the token's user, the permission check, the service user of
// /health/, list pages), run on a pool connection without knex's query builder. knex compiles a builder's SQL
// anew on every call and passes it through its runner: ~40 µs of CPU a query, ten times what SQLite itself
// spends on these (docs/performance.md). The pool, its timeouts and error codes are knex's as before; inside a
// transaction the query goes through the transaction. Bindings are strings, numbers or null only.
import type { Knex } from 'knex';
import type { Db } from './db.js';

export type Binding = string | number | null;

interface SqliteStatement {
  all(bindings: readonly Binding[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface PgConnection {
  query(config: { text: string; values: readonly Binding[] }, callback: (err: Error | null, res?: { rows: unknown[] }) => void): unknown;
}

/** `?` placeholders → PostgreSQL's `$1, $2, …` (the SQL given here has no `?` inside literals). */
const pgTexts = new Map<string, string>();
function pgText(sql: string): string {
  let text = pgTexts.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (pgTexts.size >= 1000) pgTexts.clear();
    pgTexts.set(sql, text);
  }
  return text;
}

function isTransaction(db: Db | Knex.Transaction): boolean {
  return (db as { isTransaction?: boolean }).isTransaction === true;
}

/** The rows of one SELECT. */
export async function selectRows<Row>(db: Db | Knex.Transaction, sql: string, bindings: readonly Binding[]): Promise<Row[]> {
  const pg = db.client.config.client === 'pg';
  if (isTransaction(db)) {
    const res = await db.raw(sql, bindings as Binding[]);
    return (pg ? (res as { rows: Row[] }).rows : res) as Row[];
  }
  const client = db.client as { acquireConnection(): Promise<unknown>; releaseConnection(conn: unknown): Promise<unknown> };
  const conn = await client.acquireConnection();
  try {
    if (!pg) return (conn as SqliteConnection).prepare(sql).all(bindings) as Row[];
    return await new Promise<Row[]>((resolve, reject) => {
      (conn as PgConnection).query({ text: pgText(sql), values: bindings }, (err, res) => (err ? reject(err) : resolve((res?.rows ?? []) as Row[])));
    });
  } finally {
    await client.releaseConnection(conn);
  }
}

/** The first row of one SELECT (the SQL says `limit 1` itself), or undefined. */
export async function selectFirst<Row>(db: Db | Knex.Transaction, sql: string, bindings: readonly Binding[]): Promise<Row | undefined> {
  return (await selectRows<Row>(db, sql, bindings))[0];
}
