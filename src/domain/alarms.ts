// Alarms and main alarms (cornflow-platform.md §7.1): plain CRUD, soft delete of alarms.
import type { Db } from '../storage/db.js';
import * as store from '../storage/alarms.js';
import { isIntegrityError } from '../storage/integrity.js';
import { InvalidData, ObjectDoesNotExist } from './errors.js';

export type { AlarmRow, MainAlarmRow } from '../storage/alarms.js';

export const listAlarms = (db: Db, filters: { criticality?: number }) => store.listAlarms(db, filters);

export const createAlarm = (db: Db, values: { name: string; criticality: number; description: string; schema?: string }) => store.insertAlarm(db, values);

export async function getAlarm(db: Db, id: number): Promise<store.AlarmRow> {
  const alarm = await store.findAlarm(db, id);
  if (!alarm) throw new ObjectDoesNotExist();
  return alarm;
}

export async function updateAlarm(db: Db, id: number, changes: Partial<Omit<store.AlarmRow, 'id'>>): Promise<void> {
  if (!(await store.findAlarm(db, id))) throw new ObjectDoesNotExist();
  if (Object.keys(changes).length > 0) await store.updateAlarm(db, id, changes);
}

/** Soft delete; finds the alarm even when it is already disabled, as cornflow. */
export async function disableAlarm(db: Db, id: number): Promise<void> {
  if (!(await store.alarmRowExists(db, id))) throw new ObjectDoesNotExist(`Object with id ${id} not found.`);
  await store.disableAlarm(db, id);
}

export const listMainAlarms = (db: Db, filters: { id_alarm?: number; criticality?: number }) => store.listMainAlarms(db, filters);

const MAIN_ALARM_INTEGRITY = 'Integrity error on saving with data <Main_Alarms None>';

/** The alarm must exist (checked, so SQLite without foreign-key enforcement answers as PostgreSQL does). */
export async function createMainAlarm(db: Db, values: { id_alarm: number; criticality: number; message: string; schema?: string }): Promise<store.MainAlarmRow> {
  if (!(await store.alarmRowExists(db, values.id_alarm))) throw new InvalidData(MAIN_ALARM_INTEGRITY);
  try {
    return await store.insertMainAlarm(db, values);
  } catch (err) {
    if (isIntegrityError(err)) throw new InvalidData(MAIN_ALARM_INTEGRITY);
    throw err;
  }
}
