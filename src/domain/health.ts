// GET /health/: cornflow is healthy when its database answers and the service user exists.
import type { Db } from '../storage/db.js';
import { serviceUserExists } from '../storage/users.js';
import type { Orchestrator } from '../orchestration/orchestrator.js';

export const CORNFLOW_VERSION = '1.3.6';

export async function health(db: Db, serviceUser: string, orchestrator: Orchestrator) {
  const [cornflow, backend] = await Promise.all([serviceUserExists(db, serviceUser).catch(() => false), orchestrator.healthy()]);
  return {
    cornflow_status: cornflow ? ('healthy' as const) : ('unhealthy' as const),
    backend_status: backend ? ('healthy' as const) : ('unhealthy' as const),
    cornflow_version: CORNFLOW_VERSION,
  };
}
