// Opening the database for a command: one clear error when it cannot be reached.
import type { Config } from '../config.js';
import knex from 'knex';
import { knexConfig, type Db } from '../storage/db.js';
import { CliFailure } from './errors.js';

/** The DATABASE_URL of the configuration with any password hidden. */
export function describeDatabase(config: Config): string {
  if (config.database.client === 'better-sqlite3') return `sqlite:///${config.database.filename}`;
  return maskUrlPassword(config.database.connectionString);
}

export function maskUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:****@');
  }
}

/** A knex instance that has answered a first query. */
export async function openDatabase(config: Config): Promise<Db> {
  // knex would print its own multi-line warnings (with stacks) for a failed connection: the error below says it.
  const quiet = () => {};
  const db = knex({ ...knexConfig(config), log: { warn: quiet, error: quiet, deprecate: quiet, debug: quiet } });
  try {
    await db.raw('select 1');
  } catch (err) {
    await db.destroy().catch(() => {});
    const reason = err instanceof Error ? (err.message || (err as NodeJS.ErrnoException).code || err.name) : String(err);
    throw new CliFailure(`cannot reach the database ${describeDatabase(config)}: ${reason.split('\n')[0]}`);
  }
  return db;
}
