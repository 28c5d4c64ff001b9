// cornflow stores naive UTC timestamps and answers them as Python isoformat(): 2024-05-06T10:11:12.123456,
// without a fraction when the microseconds are 0.

const TS = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?/;

/** Current UTC time as the text stored in timestamp columns: "YYYY-MM-DD HH:MM:SS.ffffff". */
export function nowStored(date: Date = new Date()): string {
  const iso = date.toISOString(); // 2024-05-06T10:11:12.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000`;
}

/** A stored timestamp (text from either database, or a Date) → cornflow's wire form. */
export function toWire(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = value instanceof Date ? nowStored(value) : typeof value === 'number' ? nowStored(new Date(value)) : String(value);
  const m = TS.exec(text);
  if (!m) return text;
  const frac = (m[3] ?? '').padEnd(6, '0');
  return /^0*$/.test(frac) ? `${m[1]}T${m[2]}` : `${m[1]}T${m[2]}.${frac}`;
}

/** Python str(datetime) form, used by cornflow's user list for created_at: "2024-05-06 10:11:12.123456". */
export function toPythonStr(value: unknown): string | null {
  const w = toWire(value);
  return w === null ? null : w.replace('T', ' ');
}

/** Milliseconds since the epoch of a stored naive-UTC timestamp. */
export function storedToMillis(value: unknown): number {
  const w = toWire(value);
  return w === null ? NaN : Date.parse(`${w.slice(0, 23)}Z`);
}
