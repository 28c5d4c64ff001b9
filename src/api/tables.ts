// Handlers of the tables tag (service users only, through the permission catalogue).
import type { OpHandler } from './handlers.js';
import * as tables from '../domain/tables.js';
import { requester } from './users.js';

export const listTableRows: OpHandler<'listTableRows'> = async ({ params, query, user, deps }) => ({
  status: 200,
  body: await tables.listTableRows(deps.db, deps.config, requester(user).id, params.table_name, { limit: query?.limit, offset: query?.offset }),
});

export const getTableRow: OpHandler<'getTableRow'> = async ({ params, deps }) => ({
  status: 200,
  body: await tables.getTableRow(deps.db, params.table_name, params.idx),
});

export const tablesHandlers = { listTableRows, getTableRow };
