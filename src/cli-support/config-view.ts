// The effective configuration under cornflow's variable names, for `cornflow config list | get | save`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { SECRET_FILE } from '../auth/secret.js';
import { describeDatabase } from './database.js';

export interface Setting {
  name: string;
  /** The effective value (defaults applied), as text; null when unset. */
  value: string | null;
  secret: boolean;
}

export const MASK = '****';

const AUTH_CODES = { oidc: 0, db: 1, ldap: 2 } as const;
const BACKEND_CODES = { local: 'local', airflow: '1', databricks: '2', airflow3: '3' } as const;
const LOG_CODES: Record<Config['logLevel'], string> = { trace: '0', debug: '10', info: '20', warn: '30', error: '40', fatal: '50', silent: '50' };

type Value = string | number | boolean | undefined | null;
/** The keys of a config section that hold a plain value (not a nested section). */
type ValueKey<T> = { [K in keyof T]: T[K] extends Value ? K : never }[keyof T];

export function settings(config: Config): Setting[] {
  const s = (name: string, value: Value, secret = false): Setting => ({
    name,
    value: value === undefined || value === null ? null : typeof value === 'boolean' ? (value ? '1' : '0') : String(value),
    secret,
  });
  /** Variables read one-to-one from a section of the config (variable name → key), in the table's order. */
  const fromSection = <T>(section: T, keys: Record<string, ValueKey<T>>, secrets: string[] = []): Setting[] =>
    Object.entries(keys).map(([name, key]) => s(name, section[key] as Value, secrets.includes(name)));
  const generatedKey = join(config.dataDir, SECRET_FILE);
  const db = config.database;
  return [
    s('FLASK_ENV', config.env),
    s('HOST', config.host),
    s('PORT', config.port),
    s('DATABASE_URL', db.client === 'pg' ? db.connectionString : describeDatabase(config), db.client === 'pg' && /\/\/[^/@]*:[^/@]*@/.test(db.connectionString)),
    s('CORNFLOW_DB_CONNECT_TIMEOUT', config.databaseTimeouts.connectSeconds),
    s('CORNFLOW_DB_ACQUIRE_TIMEOUT', config.databaseTimeouts.acquireSeconds),
    s('CORNFLOW_DB_QUERY_TIMEOUT', config.databaseTimeouts.querySeconds),
    s('CORNFLOW_DATA_DIR', config.dataDir),
    s('SECRET_KEY', config.secretKey ?? (existsSync(generatedKey) ? `(generated, in ${generatedKey})` : null), config.secretKey !== undefined),
    s('SECRET_BI_KEY', config.secretBiKey, true),
    s('AUTH_TYPE', AUTH_CODES[config.authType]),
    s('SIGNUP_ACTIVATED', config.signupActivated),
    s('DEFAULT_ROLE', config.defaultRole),
    s('OPEN_DEPLOYMENT', config.openDeployment),
    s('USER_ACCESS_ALL_OBJECTS', config.userAccessAllObjects),
    s('TOKEN_DURATION', config.tokenDurationHours),
    s('PWD_ROTATION_TIME', config.pwdRotationDays),
    s('SERVICE_USER_ALLOW_PASSWORD_LOGIN', config.serviceUserAllowPasswordLogin),
    s('CORNFLOW_BACKEND', BACKEND_CODES[config.backend]),
    s('AIRFLOW_URL', config.airflow.url),
    s('AIRFLOW_USER', config.airflow.user),
    s('AIRFLOW_PWD', config.airflow.password, true),
    s('DATABRICKS_HOST', config.databricks.host),
    s('DATABRICKS_CLIENT_ID', config.databricks.clientId),
    s('DATABRICKS_CLIENT_SECRET', config.databricks.clientSecret, true),
    s('DATABRICKS_TOKEN_ENDPOINT', config.databricks.tokenEndpoint),
    s('DATABRICKS_HEALTH_PATH', config.databricks.healthPath),
    s('CF_ALARMS_ENDPOINT', config.alarmsEnabled),
    s('EXECUTION_FILES', config.executionFiles.enabled),
    s('EXECUTION_FILES_PATH', config.executionFiles.path),
    s('EXECUTION_FILES_CLEANUP_FREQUENCY', config.executionFiles.cleanupDays),
    s('LOG_LEVEL', LOG_CODES[config.logLevel]),
    s('CORS_ORIGINS', config.corsOrigins),
    s('APPLICATION_ROOT', config.applicationRoot),
    s('CORNFLOW_MAX_BODY_SIZE', config.maxBodyBytes),
    ...fromSection(config.http, {
      CORNFLOW_HEADERS_TIMEOUT_MS: 'headersTimeoutMs',
      CORNFLOW_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
      CORNFLOW_KEEP_ALIVE_TIMEOUT_MS: 'keepAliveTimeoutMs',
      CORNFLOW_MIN_BODY_RATE: 'minBodyBytesPerSecond',
      CORNFLOW_MAX_HEADER_SIZE: 'maxHeaderBytes',
      CORNFLOW_MAX_HEADERS_COUNT: 'maxHeadersCount',
    }),
    s('CORNFLOW_FAIL_ON_INVALID_RESPONSE', config.failOnInvalidResponse),
    s('CORNFLOW_ADMIN_USER', config.initialUsers.admin.username),
    s('CORNFLOW_ADMIN_EMAIL', config.initialUsers.admin.email),
    s('CORNFLOW_ADMIN_PWD', config.initialUsers.admin.password, true),
    s('CORNFLOW_SERVICE_USER', config.initialUsers.service.username),
    s('CORNFLOW_SERVICE_EMAIL', config.initialUsers.service.email),
    s('CORNFLOW_SERVICE_PWD', config.initialUsers.service.password, true),
    s('SERVICE_NAME', config.serviceName),
    s('SERVICE_EMAIL_ADDRESS', config.email.address),
    s('SERVICE_EMAIL_PASSWORD', config.email.password, true),
    s('SERVICE_EMAIL_SERVER', config.email.server),
    s('SERVICE_EMAIL_PORT', config.email.port),
    ...fromSection(
      config.ldap,
      {
        LDAP_HOST: 'host',
        LDAP_BIND_DN: 'bindDn',
        LDAP_BIND_PASSWORD: 'bindPassword',
        LDAP_USERNAME_ATTRIBUTE: 'usernameAttribute',
        LDAP_USER_BASE: 'userBase',
        LDAP_SERVICE_BASE: 'serviceBase',
        LDAP_EMAIL_ATTRIBUTE: 'emailAttribute',
        LDAP_USER_OBJECT_CLASS: 'userObjectClass',
        LDAP_GROUP_OBJECT_CLASS: 'groupObjectClass',
        LDAP_GROUP_BASE: 'groupBase',
      },
      ['LDAP_BIND_PASSWORD'],
    ),
    ...fromSection(config.ldap.groupToRole, {
      LDAP_GROUP_TO_ROLE_SERVICE: 'service',
      LDAP_GROUP_TO_ROLE_ADMIN: 'admin',
      LDAP_GROUP_TO_ROLE_VIEWER: 'viewer',
      LDAP_GROUP_TO_ROLE_PLANNER: 'planner',
    }),
    s('OID_PROVIDER', config.oidc.provider),
    s('OID_PROVIDER_TYPE', config.oidc.providerType),
    s('OID_EXPECTED_AUDIENCE', config.oidc.expectedAudience),
  ];
}

/** The value to show: secrets masked (a password inside DATABASE_URL only), unless revealed. */
export function shown(setting: Setting, reveal: boolean): string | null {
  if (reveal || !setting.secret || setting.value === null) return setting.value;
  return setting.name === 'DATABASE_URL' ? setting.value.replace(/(\/\/[^/:@]*:)[^/@]*@/, `$1${MASK}@`) : MASK;
}

export function findSetting(config: Config, name: string): Setting | undefined {
  return settings(config).find((s) => s.name === name.toUpperCase());
}

/** cornflow's `config save` format: an INI file with one [configuration] section. */
export function settingsIni(config: Config, reveal: boolean): string {
  const lines = settings(config).map((s) => `${s.name} = ${shown(s, reveal) ?? 'None'}`);
  return `[configuration]\n\n${lines.join('\n')}\n`;
}
