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

export function settings(config: Config): Setting[] {
  const s = (name: string, value: string | number | boolean | undefined | null, secret = false): Setting => ({
    name,
    value: value === undefined || value === null ? null : typeof value === 'boolean' ? (value ? '1' : '0') : String(value),
    secret,
  });
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
    s('CORNFLOW_HEADERS_TIMEOUT_MS', config.http.headersTimeoutMs),
    s('CORNFLOW_REQUEST_TIMEOUT_MS', config.http.requestTimeoutMs),
    s('CORNFLOW_KEEP_ALIVE_TIMEOUT_MS', config.http.keepAliveTimeoutMs),
    s('CORNFLOW_MIN_BODY_RATE', config.http.minBodyBytesPerSecond),
    s('CORNFLOW_MAX_HEADER_SIZE', config.http.maxHeaderBytes),
    s('CORNFLOW_MAX_HEADERS_COUNT', config.http.maxHeadersCount),
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
    s('LDAP_HOST', config.ldap.host),
    s('LDAP_BIND_DN', config.ldap.bindDn),
    s('LDAP_BIND_PASSWORD', config.ldap.bindPassword, true),
    s('LDAP_USERNAME_ATTRIBUTE', config.ldap.usernameAttribute),
    s('LDAP_USER_BASE', config.ldap.userBase),
    s('LDAP_SERVICE_BASE', config.ldap.serviceBase),
    s('LDAP_EMAIL_ATTRIBUTE', config.ldap.emailAttribute),
    s('LDAP_USER_OBJECT_CLASS', config.ldap.userObjectClass),
    s('LDAP_GROUP_OBJECT_CLASS', config.ldap.groupObjectClass),
    s('LDAP_GROUP_BASE', config.ldap.groupBase),
    s('LDAP_GROUP_TO_ROLE_SERVICE', config.ldap.groupToRole.service),
    s('LDAP_GROUP_TO_ROLE_ADMIN', config.ldap.groupToRole.admin),
    s('LDAP_GROUP_TO_ROLE_VIEWER', config.ldap.groupToRole.viewer),
    s('LDAP_GROUP_TO_ROLE_PLANNER', config.ldap.groupToRole.planner),
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
