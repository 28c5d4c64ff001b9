// Everything a server (or a test, or the CLI) needs before it can answer: database, migrations, access
// seeding, the initial users, the secret key, and the parts handlers use.
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import type { AppDeps } from './api/context.js';
import { createDb, migrateLatest, type Db } from './storage/db.js';
import { loadSpec, RouteTable } from './api/spec.js';
import { seedAccess, type AccessFeatures } from './domain/access.js';
import { ensureUserWithRole, registerDagPermissions } from './domain/users.js';
import { ADMIN_ROLE, SERVICE_ROLE } from './domain/access-constants.js';
import { resolveSecretKey } from './auth/secret.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createOidcVerifier, type OidcVerifier } from './auth/oidc.js';
import { createDirectory } from './auth/ldap.js';
import { createOrchestrator } from './orchestration/orchestrator.js';
import { AppError, AUTH_MESSAGES } from './domain/errors.js';
import { registerBuiltInApps } from './domain/apps.js';
import { handlers as coreHandlers } from './api/handlers.js';
import { loadPlugins, mergeSpecs, migratePlugins, pluginAppModules, pluginDeployedApps, pluginHandlers, pluginRoles, registerPluginTables, validateMergedSpec } from './plugins/loader.js';
import { syncAppsFromOrchestrator } from './domain/app-sync.js';

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, base: { service: 'cornflow' } });
}

export function accessFeatures(config: Config): AccessFeatures {
  return { signup: config.authType === 'db' && config.signupActivated !== 0, login: true, alarms: config.alarmsEnabled, legacy: config.legacyUrl !== undefined };
}

const DEFAULT_PASSWORDS = new Set(['Cornflow_admin1234', 'Service_user1234']);

/** Creates the initial admin and service users (database and OpenID modes, as cornflow's service init). */
export async function ensureInitialUsers(db: Db, config: Config, logger: Logger): Promise<void> {
  if (config.authType === 'ldap') return;
  const { admin, service } = config.initialUsers;
  for (const [user, role] of [[admin, ADMIN_ROLE], [service, SERVICE_ROLE]] as const) {
    const created = await ensureUserWithRole(db, user, role, config.openDeployment);
    if (created) logger.info({ user: user.username }, 'created initial user');
    if (DEFAULT_PASSWORDS.has(user.password)) {
      logger.warn(`The user ${user.username} uses cornflow's published default password: set CORNFLOW_ADMIN_PWD / CORNFLOW_SERVICE_PWD before exposing this server.`);
    }
  }
}

export interface PrepareOptions {
  logger?: Logger;
  db?: Db;
  /** Skip creating the initial users (tests that build their own). */
  initialUsers?: boolean;
  /** false: the database is already set up (cluster workers: the primary migrated and seeded before forking). */
  setup?: boolean;
}

export async function prepare(config: Config, options: PrepareOptions = {}): Promise<AppDeps> {
  const logger = options.logger ?? createLogger(config);
  const db = options.db ?? createDb(config, logger);
  // Plugins first: a bad plugin stops start-up before anything is written.
  const plugins = await loadPlugins(config.plugins);
  const merged = mergeSpecs(loadSpec(), plugins, Object.keys(coreHandlers));
  // The core document is linted in CI (npm run lint:api); a merged one is checked here, before anything is written.
  if (plugins.length) validateMergedSpec(merged);
  const routes = new RouteTable(merged);
  registerPluginTables(plugins);
  const pluginApps = pluginAppModules(plugins);
  if (plugins.length) logger.info({ plugins: plugins.map((p) => p.name) }, 'loaded plugins');
  const orchestrator = createOrchestrator(config);
  // The set-up steps run once: in the cluster's primary, or here when this process serves alone.
  if (options.setup !== false) {
    const applied = [...(await migrateLatest(db)), ...(await migratePlugins(db, plugins))];
    if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
    // A database shared with the Flask cornflow keeps the views only Flask serves (docs/adoption.md).
    const sharedWithFlask = await db.schema.hasTable('alembic_version');
    const seeded = await seedAccess(db, routes.views, accessFeatures(config), { keepUnknownViews: sharedWithFlask, customRoles: pluginRoles(plugins) });
    logger.debug(seeded, 'access seeded');
    const apps = await registerBuiltInApps(db, pluginDeployedApps(plugins));
    if (apps.length) logger.info({ apps }, 'registered built-in apps');
    if (config.backend === 'airflow') {
      // cornflow's register_deployed_dags; an unreachable Airflow is skipped (cornflow polls it for minutes):
      // `cornflow dags register` syncs later.
      try {
        const synced = await syncAppsFromOrchestrator(db, orchestrator);
        if (synced.length) logger.info({ apps: synced }, 'registered apps deployed on Airflow');
      } catch (err) {
        logger.warn({ err }, 'could not sync the apps deployed on Airflow; run `cornflow dags register` once it is up');
      }
    }
    if (options.initialUsers !== false) await ensureInitialUsers(db, config, logger);
    const granted = await registerDagPermissions(db, config.openDeployment);
    if (granted) logger.info({ granted }, 'granted DAG permissions');
  }
  const secret = resolveSecretKey(config.secretKey, config.dataDir, (m) => logger.warn(m));
  let oidc: OidcVerifier | undefined;
  if (config.authType === 'oidc') {
    const { provider, providerType, expectedAudience } = config.oidc;
    if (!provider) logger.warn('AUTH_TYPE=0 without OID_PROVIDER: only tokens issued by this server are accepted.');
    else if (!expectedAudience) logger.warn('AUTH_TYPE=0 without OID_EXPECTED_AUDIENCE: tokens of the provider are refused.');
    oidc = provider ? createOidcVerifier({ provider, providerType, audience: expectedAudience }) : undefined;
  }
  return {
    config,
    db,
    routes,
    logger,
    pluginHandlers: pluginHandlers(plugins),
    pluginApps,
    authenticator: createAuthenticator(
      db,
      secret,
      config.authType === 'oidc' ? AUTH_MESSAGES.badTokenOidc : AUTH_MESSAGES.badToken,
      // In OpenID Connect mode the OIDC strategy always runs (internal tokens first, then the provider's).
      config.authType === 'oidc' ? (oidc ?? { verify: () => Promise.reject(new AppError(400, AUTH_MESSAGES.badTokenOidc)) }) : undefined,
    ),
    orchestrator,
    auth: {
      secret,
      tokenDurationHours: config.tokenDurationHours,
      pwdRotationDays: config.pwdRotationDays,
      defaultRole: config.defaultRole,
      openDeployment: config.openDeployment,
      serviceUserAllowPasswordLogin: config.serviceUserAllowPasswordLogin,
      directory:
        config.authType === 'ldap' ? createDirectory({ ldap: config.ldap, serviceUser: config.initialUsers.service.username }) : undefined,
    },
  };
}
