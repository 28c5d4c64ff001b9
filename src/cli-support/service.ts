// `cornflow service init`: the container entry point. cornflow's environment, the set-up steps (each one
// reported), then the server.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../storage/db.js';
import { loadSpec, RouteTable } from '../api/spec.js';
import { accessFeatures, ensureInitialUsers } from '../bootstrap.js';
import { seedAccess } from '../domain/access.js';
import { grantDagPermissions } from '../domain/dag-permissions.js';
import { upgrade } from './migrations.js';
import { handlers as coreHandlers } from '../api/handlers.js';
import { loadPlugins, mergeSpecs, migratePlugins, pluginRoles } from '../plugins/loader.js';

type Env = Record<string, string | undefined>;

/**
 * cornflow's service init reads the database from DEFAULT_POSTGRES=1 + cornflow_db_conn or CORNFLOW_DB_*
 * (the Docker image's variables), and FERNET_KEY as SECRET_KEY. Here DATABASE_URL, when set, wins (cornflow
 * ignores it in service init); the server listens on 0.0.0.0 unless HOST is set, as gunicorn does.
 */
export function serviceEnv(env: Env): Env {
  const out: Env = { ...env };
  const pgFromImage = env.DEFAULT_POSTGRES === '1' || env.cornflow_db_conn !== undefined || env.CORNFLOW_DB_HOST !== undefined;
  if (!env.DATABASE_URL && pgFromImage) {
    out.DATABASE_URL =
      env.cornflow_db_conn ||
      `postgres://${encodeURIComponent(env.CORNFLOW_DB_USER || 'cornflow')}:${encodeURIComponent(env.CORNFLOW_DB_PASSWORD || 'cornflow')}` +
        `@${env.CORNFLOW_DB_HOST || 'cornflow_db'}:${env.CORNFLOW_DB_PORT || '5432'}/${env.CORNFLOW_DB || 'cornflow'}`;
  }
  if (!env.SECRET_KEY && env.FERNET_KEY) out.SECRET_KEY = env.FERNET_KEY;
  if (!env.HOST) out.HOST = '0.0.0.0';
  return out;
}

/** Migrations, access seeding, initial users, DAG permissions: everything before serving. Idempotent. */
export async function setUpService(db: Db, config: Config, logger: Logger, say: (line: string) => void): Promise<void> {
  const applied = await upgrade(db, 'head', (name) => say(`applied migration ${name}`));
  // The plugins' migrations after the core ones, and their views and roles in the access tables (as at start-up).
  const plugins = await loadPlugins(config.plugins);
  for (const name of await migratePlugins(db, plugins)) {
    say(`applied migration ${name}`);
    applied.push(name);
  }
  if (!applied.length) say('migrations: up to date');
  const routes = new RouteTable(mergeSpecs(loadSpec(), plugins, Object.keys(coreHandlers)));
  // A database shared with the Flask cornflow keeps the views only Flask serves (docs/adoption.md).
  const sharedWithFlask = await db.schema.hasTable('alembic_version');
  const seeded = await seedAccess(db, routes.views, accessFeatures(config), { keepUnknownViews: sharedWithFlask, customRoles: pluginRoles(plugins) });
  say(`access: ${seeded.views} views, ${seeded.permissions} permissions (${seeded.addedPermissions} added)`);
  if (config.authType === 'ldap') say('initial users: none in LDAP mode');
  else {
    await ensureInitialUsers(db, config, logger);
    say(`initial users: ${config.initialUsers.admin.username} (admin), ${config.initialUsers.service.username} (service)`);
  }
  const dags = await grantDagPermissions(db, config.openDeployment);
  say(`DAG permissions: ${dags.added} added (${dags.users} users, ${dags.dags} deployed apps, open deployment ${config.openDeployment ? 'on' : 'off'})`);
}
