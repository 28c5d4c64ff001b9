// The knex migrations one step at a time, so the CLI can print each one; and a skeleton for a new one.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationNames, type Db } from '../storage/db.js';
import { adoptCornflowDatabase, BASELINE_MIGRATION } from '../storage/adoption.js';
import { CliFailure } from './errors.js';
import type { CornflowPlugin } from '../plugins/types.js';
import { pluginMigrationStatus, revertPluginMigration } from '../plugins/loader.js';

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

function nameOf(m: unknown): string {
  if (typeof m === 'string') return m;
  const o = m as { name?: string; file?: string };
  return String(o.name ?? o.file);
}

export async function migrationStatus(db: Db): Promise<MigrationStatus> {
  const [completed, pending] = (await db.migrate.list()) as [unknown[], unknown[]];
  return { applied: completed.map(nameOf), pending: pending.map(nameOf) };
}

/**
 * Applies pending migrations up to and including `target` ("head" = all), calling `onApplied` after each.
 * Returns the names applied.
 */
export async function upgrade(db: Db, target: string, onApplied: (name: string) => void): Promise<string[]> {
  if (await adoptCornflowDatabase(db, await migrationNames())) onApplied(`${BASELINE_MIGRATION} (recorded: adopted the cornflow database, no table changed)`);
  const { applied, pending } = await migrationStatus(db);
  if (target !== 'head' && !pending.includes(target)) {
    if (applied.includes(target)) return [];
    throw new CliFailure(`unknown migration "${target}" (see cornflow migrations status)`, 2);
  }
  const done: string[] = [];
  for (const name of pending) {
    const [, log] = (await db.migrate.up({ name })) as [number, string[]];
    for (const n of log) onApplied(n);
    done.push(...log);
    if (name === target) break;
  }
  return done;
}

/**
 * Reverts applied migrations, newest first: `-N` reverts N of them (cornflow's default is -1), `base` all of
 * them, a migration name reverts the ones applied after it (that one stays, as alembic's downgrade REV).
 * The plugins' migrations count as newer than the core's (they run after them): they are reverted first, last
 * plugin first, and are named `<plugin>:<migration>`.
 */
export async function downgrade(db: Db, target: string, onReverted: (name: string) => void, plugins: readonly CornflowPlugin[] = []): Promise<string[]> {
  const { applied: core } = await migrationStatus(db);
  const byPlugin = await pluginMigrationStatus(db, plugins);
  // Oldest first: the core's, then each plugin's in configuration order.
  const applied: { name: string; revert: () => Promise<string[]> }[] = core.map((name) => ({
    name,
    revert: async () => ((await db.migrate.down({ name })) as [number, string[]])[1],
  }));
  for (const p of plugins) {
    for (const m of byPlugin[p.name]!.applied) applied.push({ name: `${p.name}:${m}`, revert: () => revertPluginMigration(db, p, m) });
  }
  const names = applied.map((a) => a.name);
  let count: number;
  if (/^-\d+$/.test(target)) count = Math.min(Number(target.slice(1)), applied.length);
  else if (target === 'base') count = applied.length;
  else if (names.includes(target)) count = applied.length - 1 - names.indexOf(target);
  else throw new CliFailure(`unknown migration "${target}": use -N, base or an applied migration name`, 2);
  const done: string[] = [];
  for (const step of applied.slice(applied.length - count).reverse()) {
    const log = await step.revert();
    for (const n of log) onReverted(n);
    done.push(...log);
  }
  return done;
}

const SKELETON = `// {{NAME}}: say what this migration changes and why (keep cornflow's table and constraint names).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  void knex;
}

export async function down(knex: Knex): Promise<void> {
  void knex;
}
`;

/**
 * Writes migrations/NNN_name.ts (NNN = next number) and registers it in migrations/index.ts.
 * Returns the path of the new file.
 */
export function makeMigration(root: string, name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new CliFailure(`migration name must be snake_case (a-z, 0-9, _), got "${name}"`, 2);
  const dir = join(root, 'migrations');
  const indexPath = join(dir, 'index.ts');
  if (!existsSync(indexPath)) throw new CliFailure(`${indexPath} not found: run this in a cornflow-ts checkout`);
  const numbers = readdirSync(dir)
    .map((f) => /^(\d{3})_.*\.ts$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  const id = `${String(Math.max(0, ...numbers) + 1).padStart(3, '0')}_${name}`;
  const file = join(dir, `${id}.ts`);
  const alias = `m${id.slice(0, 3)}`;
  let index = readFileSync(indexPath, 'utf8');
  const imports = [...index.matchAll(/^import \* as m\d{3} from '\.\/\d{3}_\w+\.js';$/gm)];
  const lastImport = imports.at(-1);
  const mapEnd = /^};$/m.exec(index.slice(index.indexOf('const migrations')));
  if (!lastImport || !mapEnd || !index.includes('const migrations')) {
    throw new CliFailure(`cannot find where to register the migration in ${indexPath}`);
  }
  const mapEndAt = index.indexOf('const migrations') + mapEnd.index;
  index = `${index.slice(0, mapEndAt)}  '${id}': ${alias},\n${index.slice(mapEndAt)}`;
  const importEnd = lastImport.index + lastImport[0].length;
  index = `${index.slice(0, importEnd)}\nimport * as ${alias} from './${id}.js';${index.slice(importEnd)}`;
  writeFileSync(file, SKELETON.replace('{{NAME}}', id), { flag: 'wx' });
  writeFileSync(indexPath, index);
  return file;
}
