// Deployed apps (cornflow's DAGs): registration by the service user or at start-up, their schemas and examples.
import type { Db } from '../storage/db.js';
import * as dags from '../storage/deployed-dags.js';
import { SCHEMA_COLUMNS, type DagRow } from '../storage/deployed-dags.js';
import { RawJson } from '../api/wire.js';
import { InvalidData, ObjectDoesNotExist } from './errors.js';
import { invalidateAppSchemas } from './app-schemas.js';
import { appsOfUser, DAG_PERMISSION_MESSAGES, requireAppAccess } from './dag-access.js';
import { rawJsonText, type JsonValue, type LosslessJson } from './json-hash.js';
import { losslessField, type ExactBody } from './lossless-body.js';
import { builtInApps, type BuiltInApp } from '../apps/index.js';
import type { ExampleSource } from '../orchestration/examples.js';
import type { AppExample } from '../apps/index.js';

const raw = (text: string | null): RawJson | null => (text === null ? null : new RawJson(text));

/** The 8 fields of /dag/deployed/, schemas sent back as stored. */
export function dagToWire(row: Omit<DagRow, 'updated_at'>) {
  return {
    id: row.id,
    description: row.description,
    instance_schema: raw(row.instance_schema),
    solution_schema: raw(row.solution_schema),
    config_schema: raw(row.config_schema),
    instance_checks_schema: raw(row.instance_checks_schema),
    solution_checks_schema: raw(row.solution_checks_schema),
    kpis_schema: raw(row.kpis_schema),
  };
}

export async function listDeployedDags(db: Db) {
  return (await dags.listDags(db)).map(dagToWire);
}

type SchemaBody = Partial<Record<(typeof SCHEMA_COLUMNS)[number], unknown>> & { description?: string | null };

function schemaTexts(body: SchemaBody, lossless: ExactBody | undefined): Partial<Record<(typeof SCHEMA_COLUMNS)[number], string>> {
  const out: Partial<Record<(typeof SCHEMA_COLUMNS)[number], string>> = {};
  for (const c of SCHEMA_COLUMNS) {
    if (body[c] !== undefined) out[c] = rawJsonText(losslessField(lossless, body[c], c) as JsonValue);
  }
  return out;
}

export async function createDeployedDag(db: Db, body: SchemaBody & { id: string }, lossless: ExactBody | undefined) {
  const row = { id: body.id, description: body.description ?? null, ...schemaTexts(body, lossless) } as Omit<DagRow, 'updated_at'>;
  if (await dags.dagExists(db, body.id)) throw new InvalidData(`Integrity error on saving with data <DAG ${body.id}>`);
  await dags.insertDag(db, row);
  invalidateAppSchemas(body.id);
  return dagToWire(row);
}

export async function updateDeployedDag(db: Db, id: string, body: SchemaBody, lossless: ExactBody | undefined): Promise<void> {
  const values: Partial<DagRow> = { ...schemaTexts(body, lossless) };
  if (body.description !== undefined) values.description = body.description;
  if (!(await dags.updateDag(db, id, values))) throw new ObjectDoesNotExist();
  invalidateAppSchemas(id);
}

/**
 * Registers the built-in apps (and `extra` ones: the plugins' apps) that are not registered yet (existing rows
 * are kept, as cornflow does).
 */
export async function registerBuiltInApps(db: Db, extra: readonly BuiltInApp[] = []): Promise<string[]> {
  const added: string[] = [];
  for (const app of [...builtInApps(), ...extra]) {
    if (await dags.dagExists(db, app.id)) continue;
    await dags.insertDag(db, { id: app.id, description: app.description, ...app.schemas });
    added.push(app.id);
  }
  invalidateAppSchemas();
  return added;
}

export async function listSchemas(db: Db, userId: number) {
  return (await appsOfUser(db, userId)).map((name) => ({ name }));
}

export async function getSchema(db: Db, userId: number, app: string) {
  await requireAppAccess(db, userId, app, DAG_PERMISSION_MESSAGES.schemaDenied);
  const row = await dags.findDag(db, app);
  if (!row) throw new ObjectDoesNotExist();
  return {
    name: row.id,
    instance: raw(row.instance_schema),
    solution: raw(row.solution_schema),
    config: raw(row.config_schema),
    instance_checks: raw(row.instance_checks_schema),
    solution_checks: raw(row.solution_checks_schema),
    kpis: raw(row.kpis_schema),
  };
}

async function examplesOf(db: Db, source: ExampleSource, userId: number, app: string): Promise<AppExample[]> {
  await requireAppAccess(db, userId, app, DAG_PERMISSION_MESSAGES.exampleDenied);
  return source.examples(app);
}

export async function listExamples(db: Db, source: ExampleSource, userId: number, app: string) {
  return (await examplesOf(db, source, userId, app)).map((e) => ({ name: e.name, description: e.description ?? null }));
}

export async function getExample(db: Db, source: ExampleSource, userId: number, app: string, name: string) {
  const example = (await examplesOf(db, source, userId, app)).find((e) => e.name === name);
  if (!example) throw new ObjectDoesNotExist('The example does not exist');
  return { name: example.name, description: example.description ?? null, instance: example.instance, ...(example.solution !== undefined ? { solution: example.solution } : {}) };
}
