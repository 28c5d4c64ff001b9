// Constraint violations (unique, foreign key, not null) look different on the two databases; cornflow turns
// them all into its "Integrity error on <action> with data <repr>" 400.

const PG_INTEGRITY = new Set(['23000', '23502', '23503', '23505', '23514']);

export function isIntegrityError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return PG_INTEGRITY.has(code) || code.startsWith('SQLITE_CONSTRAINT');
}
