// GET /table/<name>/ and /table/<name>/<idx>/ (service users): raw rows of the known tables, never secrets.
import type { Db } from '../storage/db.js';
import type { Config } from '../config.js';
import * as store from '../storage/tables.js';
import { ownerScope } from './ownership.js';
import { InvalidUsage, ObjectDoesNotExist } from './errors.js';

export interface TableEntry {
  /** Columns never returned (cornflow returns users.password hashes: fixed here). */
  secrets: readonly string[];
  /** Lists use the data-object rules: owner scope, newest first, default limit 10. */
  dataObject?: boolean;
}

/** cornflow's tables (its models' __tablename__s). */
export const CORE_TABLES: Record<string, TableEntry> = {
  users: { secrets: ['password'] },
  instances: { secrets: [], dataObject: true },
  executions: { secrets: [], dataObject: true },
  cases: { secrets: [], dataObject: true },
  actions: { secrets: [] },
  api_view: { secrets: [] },
  roles: { secrets: [] },
  permission_view: { secrets: [] },
  user_role: { secrets: [] },
  deployed_workflows: { secrets: [] },
  permission_dag: { secrets: [] },
  alarms: { secrets: [] },
  main_alarms: { secrets: [] },
};

/** Tables contributed by plugins (registered at start-up by the plugin loader). */
const extraTables = new Map<string, TableEntry>();

export function registerTable(name: string, entry: TableEntry = { secrets: [] }): void {
  extraTables.set(name, entry);
}

function entryOf(name: string): TableEntry {
  const entry = Object.hasOwn(CORE_TABLES, name) ? CORE_TABLES[name] : extraTables.get(name);
  // cornflow answers 500 (KeyError) for an unknown table.
  if (!entry) throw new ObjectDoesNotExist(`The table ${name} does not exist.`);
  return entry;
}

export async function listTableRows(db: Db, config: Config, userId: number, name: string, page: { limit?: number; offset?: number }) {
  const entry = entryOf(name);
  const scope = entry.dataObject ? await ownerScope(db, config, userId) : undefined;
  return store.listRows(db, name, { ...page, scope, secrets: entry.secrets });
}

export async function getTableRow(db: Db, name: string, idx: string) {
  const entry = entryOf(name);
  const shape = await store.tableShape(db, name);
  let id: string | number = idx;
  if (shape.integerId) {
    if (!/^[+-]?\d+$/.test(idx.trim())) throw new InvalidUsage('Invalid identifier.');
    id = Number.parseInt(idx, 10);
  }
  const row = await store.findRow(db, name, id, entry.secrets);
  if (!row) throw new ObjectDoesNotExist();
  return row;
}
