// Handler of the health tag.
import type { OpHandler } from './handlers.js';
import { health } from '../domain/health.js';

export const getHealth: OpHandler<'getHealth'> = async ({ deps }) => ({
  status: 200,
  body: await health(deps.db, deps.config.initialUsers.service.username, deps.orchestrator),
});

export const healthHandlers = { getHealth };
