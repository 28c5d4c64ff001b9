// Query building shared by the data-object tables (instances, executions, cases): ownership scope,
// cornflow's list filters and paging. Filters cornflow declares but crashes on (id, name, update_date_*) work here.
import type { Knex } from 'knex';
import type { OwnerScope } from '../domain/ownership.js';

export interface ListFilters {
  limit?: number;
  offset?: number;
  schema?: string;
  id?: string;
  name?: string;
  creation_date_gte?: string;
  creation_date_lte?: string;
  update_date_gte?: string;
  update_date_lte?: string;
  deletion_date_gte?: string;
  deletion_date_lte?: string;
}

/** cornflow's default page size for instances, executions and cases. */
export const DEFAULT_LIMIT = 10;

/**
 * A validated limit/offset (up to 2^63 − 1) as the database takes it: beyond 2^53 a JS number is no longer an exact
 * integer (and SQLite binds it as a real), and no table holds that many rows, so it means "all of them".
 */
export function pageBound(n: number): number {
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}

const ZONED = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A query date-time → the stored naive-UTC text ("YYYY-MM-DD HH:MM:SS.ffffff"), so that comparisons work the
 * same on SQLite (text) and PostgreSQL (timestamp). Naive values are UTC; zoned values are converted.
 */
export function filterTimestamp(value: string): string {
  const m = ZONED.exec(value);
  if (!m) return value;
  const frac = (m[3] ?? '').padEnd(6, '0');
  let date = m[1]!;
  let time = m[2]!;
  const zone = m[4];
  if (zone && zone.toUpperCase() !== 'Z') {
    const utc = new Date(`${date}T${time}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`).toISOString();
    date = utc.slice(0, 10);
    time = utc.slice(11, 19);
  }
  return `${date} ${time}.${frac}`;
}

/** Restricts a query on a data-object table to the rows the scope may see (and never soft-deleted rows). */
export function scoped<T extends Knex.QueryBuilder>(query: T, scope: OwnerScope, table: string): T {
  query.whereNull(`${table}.deleted_at`);
  if (!scope.all) query.where(`${table}.user_id`, scope.userId);
  return query;
}

/** The filters compared with a column: query parameter, column, comparison (dates as stored text). */
const COMPARED: readonly [keyof ListFilters, string, '=' | '>=' | '<='][] = [
  ['schema', 'schema', '='],
  ['id', 'id', '='],
  ['name', 'name', '='],
  ['creation_date_gte', 'created_at', '>='],
  ['creation_date_lte', 'created_at', '<='],
  ['update_date_gte', 'updated_at', '>='],
  ['update_date_lte', 'updated_at', '<='],
];

interface ListPlan {
  where: [column: string, op: '=' | '>=' | '<=', value: string][];
  limit: number;
  offset: number;
}

/**
 * What the list filters ask of a table: the column comparisons and the page, or null when they can match nothing
 * (deletion-date filters: objects are hard-deleted; limit 0), so the caller can answer [] without a query.
 */
function listPlan(filters: ListFilters, table: string): ListPlan | null {
  if (filters.deletion_date_gte !== undefined || filters.deletion_date_lte !== undefined) return null;
  const limit = filters.limit ?? DEFAULT_LIMIT;
  if (limit === 0) return null;
  const where: ListPlan['where'] = [];
  for (const [key, column, op] of COMPARED) {
    const v = filters[key];
    if (typeof v === 'string') where.push([`${table}.${column}`, op, op === '=' ? v : filterTimestamp(v)]);
  }
  return { where, limit: pageBound(limit), offset: pageBound(filters.offset ?? 0) };
}

/** Newest first; id breaks ties so that paging is stable when two rows share created_at. */
const orderOf = (table: string) => `${table}.created_at desc, ${table}.id desc`;

/**
 * Applies the list filters, newest first, and the page. Returns false when the filters can match nothing, so the
 * caller can answer [] without a query.
 */
export function applyListFilters(query: Knex.QueryBuilder, filters: ListFilters, table: string): boolean {
  const plan = listPlan(filters, table);
  if (!plan) return false;
  for (const [column, op, value] of plan.where) query.where(column, op, value);
  query.orderBy([{ column: `${table}.created_at`, order: 'desc' }, { column: `${table}.id`, order: 'desc' }]); // as orderOf, quoted by knex
  query.limit(plan.limit).offset(plan.offset);
  return true;
}

/**
 * The same page as scoped() + applyListFilters() as fixed SQL text for selectRows (src/storage/fast-query.ts):
 * `select <columns> from <table> where …`, or null when the filters can match nothing. `where` adds conditions.
 */
export function listPageSql(
  table: string,
  columns: readonly string[],
  scope: OwnerScope,
  filters: ListFilters,
  where: readonly string[] = [],
): { sql: string; bindings: (string | number)[] } | null {
  const plan = listPlan(filters, table);
  if (!plan) return null;
  const conditions = [`${table}.deleted_at is null`, ...where];
  const bindings: (string | number)[] = [];
  if (!scope.all) {
    conditions.push(`${table}.user_id = ?`);
    bindings.push(scope.userId);
  }
  for (const [column, op, value] of plan.where) {
    conditions.push(`${column} ${op} ?`);
    bindings.push(value);
  }
  bindings.push(plan.limit, plan.offset);
  const sql = `select ${columns.join(', ')} from ${table} where ${conditions.join(' and ')} order by ${orderOf(table)} limit ? offset ?`;
  return { sql, bindings };
}
