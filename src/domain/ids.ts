// Creation times and ids of data objects (instances, executions), computed as cornflow computes them:
//   instance id  = sha1(str(created_at) + " " + str(user_id))
//   execution id = sha1(str(created_at) + " " + str(user_id) + " " + instance_id)
// where str(created_at) is Python's str() of a tz-aware UTC datetime ("2024-05-06 10:11:12.123456+00:00").
// cornflow collides when one user creates two objects in the same microsecond; here the clock is monotonic
// at microsecond resolution (Date.now() in ms plus a counter for the microseconds), so two creations in one
// process never share a created_at and therefore never share an id. Other processes (cluster workers, other
// servers, the CLI, a Flask cornflow on the same database) have their own clocks: createWithFreshId() inserts
// with "do nothing on a taken id" and, when the id is taken, tries again at a later microsecond.
import { createHash, randomInt } from 'node:crypto';

let lastMicros = 0n;

/** Microseconds since the epoch, strictly increasing within this process; at least `skip` past the last one. */
function monotonicMicros(skip = 0n): bigint {
  let micros = BigInt(Date.now()) * 1000n;
  if (micros <= lastMicros + skip) micros = lastMicros + 1n + skip;
  lastMicros = micros;
  return micros;
}

export interface CreationTime {
  /** What the timestamp columns store: "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC). */
  stored: string;
  /** Python's str() of the tz-aware value, the text cornflow hashes into ids. */
  python: string;
}

export function creationTime(skipMicros = 0): CreationTime {
  const micros = monotonicMicros(BigInt(skipMicros));
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

/** How many creation times createWithFreshId() tries before it gives up (each one a taken id). */
export const MAX_ID_ATTEMPTS = 50;

export class NoFreeObjectId extends Error {
  constructor(attempts: number) {
    super(`No free object id after ${attempts} attempts`);
    this.name = 'NoFreeObjectId';
  }
}

/**
 * Builds a row for a new creation time and hands it to `insert`, which must insert it unless its id is taken
 * (then answer false, without an error: inside a PostgreSQL transaction a failed statement would abort it).
 * A taken id means another process created an object for the same user (and instance) in the same microsecond;
 * the next attempt uses a later microsecond of this process's clock, a few microseconds further at random so
 * that two processes walking the same microseconds in step part ways. id and created_at always come from the
 * same creation time, so the id keeps cornflow's formula for the created_at it is stored with.
 */
export async function createWithFreshId<T>(build: (created: CreationTime) => T, insert: (row: T) => Promise<boolean>): Promise<T> {
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const row = build(creationTime(attempt === 0 ? 0 : randomInt(0, 16)));
    if (await insert(row)) return row;
  }
  throw new NoFreeObjectId(MAX_ID_ATTEMPTS);
}
