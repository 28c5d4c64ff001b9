// Queries on alarms and main_alarms (cornflow's trace tables; DELETE /alarms/ is a soft delete).
import type { Db } from './db.js';
import { nowStored } from './time.js';

export interface AlarmRow {
  name: string;
  criticality: number;
  description: string;
  schema: string | null;
  id: number;
}

export interface MainAlarmRow {
  id_alarm: number;
  criticality: number;
  message: string;
  schema: string | null;
  id: number;
}

const mapAlarm = (r: Record<string, unknown>): AlarmRow => ({
  name: String(r.name),
  criticality: Number(r.criticality),
  description: String(r.description),
  schema: (r.schema as string | null) ?? null,
  id: Number(r.id),
});

const mapMainAlarm = (r: Record<string, unknown>): MainAlarmRow => ({
  id_alarm: Number(r.id_alarm),
  criticality: Number(r.criticality),
  message: String(r.message),
  schema: (r.schema as string | null) ?? null,
  id: Number(r.id),
});

const insertedId = (row: unknown): number => Number(typeof row === 'object' && row !== null ? (row as { id: unknown }).id : row);

export async function listAlarms(db: Db, filters: { criticality?: number }): Promise<AlarmRow[]> {
  const q = db('alarms').whereNull('deleted_at').orderBy('id');
  if (filters.criticality !== undefined) q.where('criticality', filters.criticality);
  return (await q).map(mapAlarm);
}

/** A live (not disabled) alarm. */
export async function findAlarm(db: Db, id: number): Promise<AlarmRow | undefined> {
  const row = await db('alarms').where({ id }).whereNull('deleted_at').first();
  return row ? mapAlarm(row) : undefined;
}

/** Any alarm row, disabled or not (what the foreign key and the soft delete see). */
export async function alarmRowExists(db: Db, id: number): Promise<boolean> {
  return (await db('alarms').select('id').where({ id }).first()) !== undefined;
}

export async function insertAlarm(db: Db, values: { name: string; criticality: number; description: string; schema?: string }): Promise<AlarmRow> {
  const now = nowStored();
  const [row] = await db('alarms').insert({ schema: null, ...values, created_at: now, updated_at: now }).returning('id');
  return (await findAlarm(db, insertedId(row)))!;
}

export async function updateAlarm(db: Db, id: number, changes: Partial<Omit<AlarmRow, 'id'>>): Promise<void> {
  await db('alarms').where({ id }).update({ ...changes, updated_at: nowStored() });
}

/** Sets deleted_at only (cornflow does not touch updated_at when disabling). */
export async function disableAlarm(db: Db, id: number): Promise<void> {
  await db('alarms').where({ id }).update({ deleted_at: nowStored() });
}

export async function listMainAlarms(db: Db, filters: { id_alarm?: number; criticality?: number }): Promise<MainAlarmRow[]> {
  const q = db('main_alarms').whereNull('deleted_at').orderBy('id');
  if (filters.id_alarm !== undefined) q.where('id_alarm', filters.id_alarm);
  if (filters.criticality !== undefined) q.where('criticality', filters.criticality);
  return (await q).map(mapMainAlarm);
}

export async function insertMainAlarm(db: Db, values: { id_alarm: number; criticality: number; message: string; schema?: string }): Promise<MainAlarmRow> {
  const now = nowStored();
  const [row] = await db('main_alarms').insert({ schema: null, ...values, created_at: now, updated_at: now }).returning('id');
  const id = insertedId(row);
  return mapMainAlarm(await db('main_alarms').where({ id }).first());
}
