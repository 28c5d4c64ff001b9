// Plain-text output of the client commands (`--json` is oclif's flag: the command's return value as JSON).

/** Left-aligned columns with a header; null/undefined cells print as "-". */
export function table<R>(rows: R[], columns: { header: string; get: (row: R) => unknown }[]): string {
  const cells = rows.map((r) => columns.map((c) => cellText(c.get(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]): string => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** `key: value` lines, aligned. */
export function fields(values: [string, unknown][]): string {
  const width = Math.max(...values.map(([k]) => k.length));
  return values.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${cellText(v)}`).join('\n');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s*\n\s*/g, ' ');
}
