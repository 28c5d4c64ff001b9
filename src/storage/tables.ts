// Raw rows of the database tables for GET /table/… (cornflow-platform.md §7.3). Column kinds come from the
// database itself (knex columnInfo), so plugin tables work the same way as the core ones.
import type { Db } from './db.js';
import { boolColumn, jsonColumn } from './db.js';
import { toWire } from './time.js';
import { applyListFilters, pageBound, scoped } from './data-lists.js';
import type { OwnerScope } from '../domain/ownership.js';

type ColumnKind = 'json' | 'bool' | 'timestamp' | 'int' | 'float' | 'other';

export interface TableShape {
  columns: Map<string, ColumnKind>;
  /** The `id` primary key is an integer. */
  integerId: boolean;
  softDelete: boolean;
}

function kindOf(type: string): ColumnKind {
  const t = type.toLowerCase();
  if (t.startsWith('json')) return 'json';
  if (t === 'boolean' || t === 'bool') return 'bool';
  if (t.startsWith('timestamp') || t === 'datetime' || t === 'date') return 'timestamp';
  if (t.includes('int')) return 'int';
  if (t.startsWith('double') || t === 'real' || t === 'float' || t.startsWith('numeric') || t.startsWith('float')) return 'float';
  return 'other';
}

const shapes = new WeakMap<Db, Map<string, TableShape>>();

export async function tableShape(db: Db, table: string): Promise<TableShape> {
  let cache = shapes.get(db);
  if (!cache) shapes.set(db, (cache = new Map()));
  const known = cache.get(table);
  if (known) return known;
  const info = (await db(table).columnInfo()) as unknown as Record<string, { type: string }>;
  const columns = new Map(Object.entries(info).map(([name, c]) => [name, kindOf(c.type)] as [string, ColumnKind]));
  const shape = { columns, integerId: columns.get('id') === 'int', softDelete: columns.has('deleted_at') };
  cache.set(table, shape);
  return shape;
}

/** Flask's default JSON date form: RFC 1123 ("Tue, 02 Jan 2024 03:04:05 GMT"). */
function httpDate(value: unknown): string | null {
  const iso = toWire(value);
  if (iso === null) return null;
  const d = new Date(`${iso.slice(0, 23)}Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toUTCString();
}

function mapRow(shape: TableShape, secrets: readonly string[], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (secrets.includes(name)) continue;
    const kind = shape.columns.get(name) ?? 'other';
    if (value === null || value === undefined) out[name] = null;
    else if (kind === 'json') out[name] = jsonColumn(value);
    else if (kind === 'bool') out[name] = boolColumn(value);
    else if (kind === 'timestamp') out[name] = httpDate(value);
    else if (kind === 'int' || kind === 'float') out[name] = Number(value);
    else out[name] = value;
  }
  return out;
}

export interface TableListOptions {
  limit?: number;
  offset?: number;
  /** instances, executions, cases: owner scope, newest first, default limit. */
  scope?: OwnerScope;
  secrets: readonly string[];
}

export async function listRows(db: Db, table: string, opts: TableListOptions): Promise<Record<string, unknown>[]> {
  const shape = await tableShape(db, table);
  const q = db(table).select('*');
  if (opts.scope) {
    scoped(q, opts.scope, table);
    if (!applyListFilters(q, { limit: opts.limit, offset: opts.offset }, table)) return [];
  } else {
    if (shape.softDelete) q.whereNull('deleted_at');
    if (shape.columns.has('id')) q.orderBy('id');
    // cornflow's trace lists apply limit/offset only when truthy (limit=0 means no limit).
    if (opts.limit) q.limit(pageBound(opts.limit));
    if (opts.offset) q.offset(pageBound(opts.offset));
  }
  return (await q).map((r: Record<string, unknown>) => mapRow(shape, opts.secrets, r));
}

export async function findRow(db: Db, table: string, id: string | number, secrets: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const shape = await tableShape(db, table);
  const q = db(table).select('*').where({ id });
  if (shape.softDelete) q.whereNull('deleted_at');
  const row = await q.first();
  return row ? mapRow(shape, secrets, row) : undefined;
}
