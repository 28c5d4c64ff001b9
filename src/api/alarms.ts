// Handlers of the alarms tag (registered only when CF_ALARMS_ENDPOINT is true, see createApp).
import type { OpHandler } from './handlers.js';
import * as alarms from '../domain/alarms.js';

export const listAlarms: OpHandler<'listAlarms'> = async ({ query, deps }) => ({
  status: 200,
  body: await alarms.listAlarms(deps.db, { criticality: query?.criticality }),
});

export const createAlarm: OpHandler<'createAlarm'> = async ({ body, deps }) => ({ status: 201, body: await alarms.createAlarm(deps.db, body) });

export const getAlarm: OpHandler<'getAlarm'> = async ({ params, deps }) => ({ status: 200, body: await alarms.getAlarm(deps.db, params.idx) });

export const updateAlarm: OpHandler<'updateAlarm'> = async ({ params, body, deps }) => {
  await alarms.updateAlarm(deps.db, params.idx, body);
  return { status: 200, body: { message: 'Updated correctly' } };
};

export const deleteAlarm: OpHandler<'deleteAlarm'> = async ({ params, deps }) => {
  await alarms.disableAlarm(deps.db, params.idx);
  return { status: 200, body: { message: 'Object marked as disabled' } };
};

export const listMainAlarms: OpHandler<'listMainAlarms'> = async ({ query, deps }) => ({
  status: 200,
  body: await alarms.listMainAlarms(deps.db, { id_alarm: query?.id_alarm, criticality: query?.criticality }),
});

export const createMainAlarm: OpHandler<'createMainAlarm'> = async ({ body, deps }) => ({
  status: 201,
  body: await alarms.createMainAlarm(deps.db, body),
});

export const alarmsHandlers = { listAlarms, createAlarm, getAlarm, updateAlarm, deleteAlarm, listMainAlarms, createMainAlarm };
