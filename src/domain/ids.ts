// Creation times and ids of data objects (instances, executions), computed as cornflow computes them:
//   instance id  = sha1(str(created_at) + " " + str(user_id))
//   execution id = sha1(str(created_at) + " " + str(user_id) + " " + instance_id)
// where str(created_at) is Python's str() of a tz-aware UTC datetime ("2024-05-06 10:11:12.123456+00:00").
// cornflow collides when one user creates two objects in the same microsecond; here the clock is monotonic
// at microsecond resolution (Date.now() in ms plus a counter for the microseconds), so two creations in one
// process never share a created_at and therefore never share an id.
import { createHash } from 'node:crypto';

let lastMicros = 0n;

/** Microseconds since the epoch, strictly increasing within this process. */
function monotonicMicros(): bigint {
  let micros = BigInt(Date.now()) * 1000n;
  if (micros <= lastMicros) micros = lastMicros + 1n;
  lastMicros = micros;
  return micros;
}

export interface CreationTime {
  /** What the timestamp columns store: "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC). */
  stored: string;
  /** Python's str() of the tz-aware value, the text cornflow hashes into ids. */
  python: string;
}

export function creationTime(): CreationTime {
  const micros = monotonicMicros();
  const iso = new Date(Number(micros / 1000n)).toISOString();
  const seconds = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const frac = (micros % 1_000_000n).toString().padStart(6, '0');
  return { stored: `${seconds}.${frac}`, python: frac === '000000' ? `${seconds}+00:00` : `${seconds}.${frac}+00:00` };
}

/** cornflow's id of an instance (no parent) or of an execution (parent = its instance id). */
export function objectId(created: CreationTime, userId: number, parentId?: string): string {
  const text = parentId === undefined ? `${created.python} ${userId}` : `${created.python} ${userId} ${parentId}`;
  return createHash('sha1').update(text).digest('hex');
}
