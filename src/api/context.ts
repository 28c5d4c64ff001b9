// What handlers receive: the application's parts, and per request the authenticated user.
import type { ForwardLedger } from './legacy-proxy.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../storage/db.js';
import type { RouteTable } from './spec.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Orchestrator } from '../orchestration/orchestrator.js';
import type { AuthSettings } from '../domain/auth.js';
import type { UserRow } from '../storage/users.js';
import type { AnyHandler as PluginHandler } from '../plugins/types.js';

export interface AppDeps {
  config: Config;
  db: Db;
  routes: RouteTable;
  authenticator: Authenticator;
  orchestrator: Orchestrator;
  auth: AuthSettings;
  logger: Logger;
  /** Handlers of the loaded plugins' operations, by operationId (src/plugins/). */
  /** The plugins' apps for the local backend: app name → module path (src/local/pool.ts `apps`). */
  pluginApps?: Record<string, string>;
  pluginHandlers?: Record<string, PluginHandler>;
  /** Requests sent to CORNFLOW_LEGACY_URL (set by createApp when it is configured). */
  forwarded?: ForwardLedger;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the security handler once the token and the permission are checked. */
      cornflowUser?: UserRow;
      /** The authentication failure, kept so the error middleware answers cornflow's message. */
      cornflowAuthError?: unknown;
      requestId?: string;
    }
  }
}
