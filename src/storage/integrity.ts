// Constraint violations (unique, foreign key, not null) look different on the two databases; cornflow turns
// them all into its "Integrity error on <action> with data <repr>" 400.

const PG_INTEGRITY = new Set(['23000', '23502', '23503', '23505', '23514']);

export function isIntegrityError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return PG_INTEGRITY.has(code) || code.startsWith('SQLITE_CONSTRAINT');
}

/** What kind of value PostgreSQL refused as data, for the request's 400. */
export type DataExceptionKind = 'too long' | 'out of range' | 'invalid';

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22) for a value a statement carried: a text longer than its VARCHAR
 * column (22001), a number out of its column's range (22003), another malformed value. The statement failed, so
 * nothing was written. SQLite stores such values as they are and never raises these.
 */
export function dataExceptionKind(err: unknown): DataExceptionKind | undefined {
  const e = err as { code?: unknown; severity?: unknown } | null;
  if (typeof e?.code !== 'string' || !/^22[0-9A-Z]{3}$/.test(e.code) || e.severity === undefined) return undefined;
  return e.code === '22001' ? 'too long' : e.code === '22003' ? 'out of range' : 'invalid';
}
