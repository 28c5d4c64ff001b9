// Environment → one typed, validated Config, using cornflow's variable names (cornflow-platform.md §4).
// An invalid value stops start-up with a message naming the variable.
import { resolve, dirname } from 'node:path';

export type Backend = 'local' | 'airflow' | 'databricks' | 'airflow3';
export type AuthType = 'db' | 'ldap' | 'oidc';

export interface Config {
  env: 'development' | 'testing' | 'production';
  host: string;
  port: number;
  /** knex client + connection, derived from DATABASE_URL. */
  database: { client: 'better-sqlite3'; filename: string } | { client: 'pg'; connectionString: string };
  /**
   * PostgreSQL only: seconds to open a connection (CORNFLOW_DB_CONNECT_TIMEOUT) and to wait for one from the
   * pool (CORNFLOW_DB_ACQUIRE_TIMEOUT); past them the request answers 503 instead of waiting. A query not
   * answered within CORNFLOW_DB_QUERY_TIMEOUT seconds (0: no limit, the default) closes its connection (503).
   */
  databaseTimeouts: { connectSeconds: number; acquireSeconds: number; querySeconds: number };
  /** Folder for files this server keeps (generated secret key, execution files). */
  dataDir: string;
  secretKey: string | undefined;
  secretBiKey: string | undefined;
  authType: AuthType;
  signupActivated: 0 | 1 | 2;
  defaultRole: number;
  openDeployment: boolean;
  userAccessAllObjects: boolean;
  tokenDurationHours: number;
  pwdRotationDays: number;
  serviceUserAllowPasswordLogin: boolean;
  backend: Backend;
  airflow: { url: string | undefined; user: string; password: string };
  /** Local backend pool (src/local/pool.ts); unset numbers use the pool's defaults. */
  local: { workers?: number; timeLimitSeconds?: number; graceSeconds?: number; maxMemoryMb?: number; runner: boolean };
  databricks: {
    host: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    tokenEndpoint: string | undefined;
    healthPath: string;
  };
  alarmsEnabled: boolean;
  /** Plugins to load (package names or folders): CORNFLOW_PLUGINS, plus EXTERNAL_APP_MODULE when EXTERNAL_APP is on. */
  plugins: string[];
  executionFiles: { enabled: boolean; path: string; cleanupDays: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  corsOrigins: string;
  applicationRoot: string;
  maxBodyBytes: number;
  /** Limits of the HTTP server against slow or abusive clients (src/http-limits.ts); 0 turns a timeout off. */
  http: {
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /** Smallest average upload rate of a request body, in bytes per second, once the body has had headersTimeoutMs. */
    minBodyBytesPerSecond: number;
    maxHeaderBytes: number;
    maxHeadersCount: number;
  };
  /** CORNFLOW_LEGACY_URL: the Flask cornflow that answers the paths this server does not serve (docs/adoption.md). */
  legacyUrl: string | undefined;
  /** Response validation failures: fail (500) or log and send the response anyway. */
  failOnInvalidResponse: boolean;
  initialUsers: {
    admin: { username: string; email: string; password: string };
    service: { username: string; email: string; password: string };
  };
  serviceName: string;
  email: { address?: string; password?: string; server?: string; port?: number };
  ldap: {
    host: string;
    bindDn: string;
    bindPassword: string;
    usernameAttribute: string;
    userBase: string;
    serviceBase: string;
    emailAttribute: string;
    userObjectClass: string;
    groupObjectClass: string;
    groupBase: string;
    groupToRole: { service: string; admin: string; viewer: string; planner: string };
  };
  oidc: { provider: string | undefined; providerType: 1 | 2; expectedAudience: string | undefined };
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, allowed?: readonly number[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number(raw.trim());
  if (allowed && !allowed.includes(n)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${n}`);
  return n;
}

function num(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(name, `must be a positive number, got "${raw}"`);
  return n;
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  return raw;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];
function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw new ConfigError(name, `must be a boolean (1/0, true/false), got "${raw}"`);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
function bytes(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const m = SIZE.exec(raw.trim());
  if (!m) throw new ConfigError(name, `must be a size such as 100mb, got "${raw}"`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * unit);
}

function nonNegative(env: Env, name: string, fallback: number): number {
  const n = int(env, name, fallback);
  if (n < 0) throw new ConfigError(name, `must be 0 or more, got ${n}`);
  return n;
}

function httpLimits(env: Env): Config['http'] {
  const limits: Config['http'] = {
    headersTimeoutMs: nonNegative(env, 'CORNFLOW_HEADERS_TIMEOUT_MS', 20_000),
    // Long enough for a CORNFLOW_MAX_BODY_SIZE upload over a slow link (100 MB in 30 min is 0.45 Mbit/s);
    // slow-body attacks are cut much earlier by the minimum body rate.
    requestTimeoutMs: nonNegative(env, 'CORNFLOW_REQUEST_TIMEOUT_MS', 1_800_000),
    keepAliveTimeoutMs: nonNegative(env, 'CORNFLOW_KEEP_ALIVE_TIMEOUT_MS', 5_000),
    minBodyBytesPerSecond: bytes(env, 'CORNFLOW_MIN_BODY_RATE', 1024),
    maxHeaderBytes: bytes(env, 'CORNFLOW_MAX_HEADER_SIZE', 16 * 1024),
    maxHeadersCount: nonNegative(env, 'CORNFLOW_MAX_HEADERS_COUNT', 100),
  };
  if (limits.headersTimeoutMs === 0) throw new ConfigError('CORNFLOW_HEADERS_TIMEOUT_MS', 'must be above 0');
  if (limits.maxHeaderBytes < 1024) throw new ConfigError('CORNFLOW_MAX_HEADER_SIZE', `must be at least 1kb, got ${limits.maxHeaderBytes} bytes`);
  if (limits.requestTimeoutMs > 0 && limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('CORNFLOW_HEADERS_TIMEOUT_MS', `must not exceed CORNFLOW_REQUEST_TIMEOUT_MS (${limits.headersTimeoutMs} > ${limits.requestTimeoutMs})`);
  }
  return limits;
}

function database(env: Env): Config['database'] {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '') return { client: 'better-sqlite3', filename: resolve('cornflow.db') };
  if (/^postgres(ql)?(\+\w+)?:\/\//.test(url)) {
    // SQLAlchemy URLs may name a driver (postgresql+psycopg2://); pg wants plain postgres://.
    return { client: 'pg', connectionString: url.replace(/^postgres(ql)?(\+\w+)?:/, 'postgres:') };
  }
  if (url.startsWith('sqlite:')) {
    // sqlite:///relative.db, sqlite:////abs/path.db, sqlite:///:memory:
    const path = url.replace(/^sqlite:\/\/\//, '');
    if (path === ':memory:' || path === '') return { client: 'better-sqlite3', filename: ':memory:' };
    return { client: 'better-sqlite3', filename: resolve(path) };
  }
  throw new ConfigError('DATABASE_URL', `must be a postgres:// or sqlite:/// URL, got "${url}"`);
}

const LOG_LEVELS: Record<number, Config['logLevel']> = { 0: 'trace', 10: 'debug', 20: 'info', 30: 'warn', 40: 'error', 50: 'fatal' };

export function loadConfig(env: Env = process.env): Config {
  const flaskEnv = str(env, 'FLASK_ENV', 'development');
  if (!['development', 'testing', 'production'].includes(flaskEnv)) {
    throw new ConfigError('FLASK_ENV', `must be development, testing or production, got "${flaskEnv}"`);
  }
  const db = database(env);
  const dataDir = resolve(
    env.CORNFLOW_DATA_DIR || (db.client === 'better-sqlite3' && db.filename !== ':memory:' ? dirname(db.filename) : '.'),
  );
  const authCode = int(env, 'AUTH_TYPE', 1, [0, 1, 2]);
  const airflowUrl = env.AIRFLOW_URL || undefined;
  const backendRaw = str(env, 'CORNFLOW_BACKEND', airflowUrl ? '1' : env.DATABRICKS_HOST ? '2' : 'local').toLowerCase();
  const backend: Backend | undefined = ({ '0': 'local', local: 'local', '1': 'airflow', airflow: 'airflow', '2': 'databricks', databricks: 'databricks', '3': 'airflow3', airflow3: 'airflow3' } as Record<string, Backend>)[backendRaw];
  if (!backend) throw new ConfigError('CORNFLOW_BACKEND', `must be 1 (Airflow), 2 (Databricks), 3 (Airflow 3) or local, got "${backendRaw}"`);
  const optionalNum = (name: string): number | undefined => (env[name]?.trim() ? num(env, name, 0) : undefined);
  const logLevelNum = int(env, 'LOG_LEVEL', 20, [0, 10, 20, 30, 40, 50]);
  const userBase = str(env, 'LDAP_USER_BASE', 'ou=users,dc=example,dc=org');
  const emailPort = env.SERVICE_EMAIL_PORT ? int(env, 'SERVICE_EMAIL_PORT', 0) : undefined;
  return {
    env: flaskEnv as Config['env'],
    host: str(env, 'HOST', '127.0.0.1'),
    port: int(env, 'PORT', 5000),
    database: db,
    databaseTimeouts: {
      connectSeconds: num(env, 'CORNFLOW_DB_CONNECT_TIMEOUT', 5),
      acquireSeconds: num(env, 'CORNFLOW_DB_ACQUIRE_TIMEOUT', 30),
      querySeconds: (env.CORNFLOW_DB_QUERY_TIMEOUT?.trim() ?? '0') === '0' ? 0 : num(env, 'CORNFLOW_DB_QUERY_TIMEOUT', 0),
    },
    dataDir,
    secretKey: env.SECRET_KEY || undefined,
    secretBiKey: env.SECRET_BI_KEY || undefined,
    authType: (['oidc', 'db', 'ldap'] as const)[authCode]!,
    signupActivated: int(env, 'SIGNUP_ACTIVATED', 2, [0, 1, 2]) as 0 | 1 | 2,
    defaultRole: int(env, 'DEFAULT_ROLE', 2),
    openDeployment: bool(env, 'OPEN_DEPLOYMENT', true),
    userAccessAllObjects: bool(env, 'USER_ACCESS_ALL_OBJECTS', false),
    tokenDurationHours: num(env, 'TOKEN_DURATION', 24),
    pwdRotationDays: int(env, 'PWD_ROTATION_TIME', 120),
    serviceUserAllowPasswordLogin: bool(env, 'SERVICE_USER_ALLOW_PASSWORD_LOGIN', true),
    backend,
    airflow: { url: airflowUrl, user: str(env, 'AIRFLOW_USER', 'admin'), password: str(env, 'AIRFLOW_PWD', 'admin') },
    local: {
      workers: optionalNum('CORNFLOW_LOCAL_WORKERS'),
      timeLimitSeconds: optionalNum('CORNFLOW_LOCAL_TIME_LIMIT'),
      graceSeconds: optionalNum('CORNFLOW_LOCAL_TIME_GRACE'),
      maxMemoryMb: optionalNum('CORNFLOW_LOCAL_MAX_MEMORY_MB'),
      // Off: this process queues local runs but never claims them (another process, or a test, does).
      runner: bool(env, 'CORNFLOW_LOCAL_RUNNER', true),
    },
    databricks: {
      host: env.DATABRICKS_HOST || undefined,
      clientId: env.DATABRICKS_CLIENT_ID || undefined,
      clientSecret: env.DATABRICKS_CLIENT_SECRET || undefined,
      tokenEndpoint: env.DATABRICKS_TOKEN_ENDPOINT || undefined,
      healthPath: str(env, 'DATABRICKS_HEALTH_PATH', 'default path'),
    },
    // cornflow enables alarms for any set value, even "0"; here it is a real boolean.
    alarmsEnabled: bool(env, 'CF_ALARMS_ENDPOINT', false),
    plugins: [
      ...(env.CORNFLOW_PLUGINS ?? '').split(',').map((p) => p.trim()).filter(Boolean),
      ...(bool(env, 'EXTERNAL_APP', false) && env.EXTERNAL_APP_MODULE ? [env.EXTERNAL_APP_MODULE.trim()] : []),
    ],
    executionFiles: {
      enabled: bool(env, 'EXECUTION_FILES', false),
      path: resolve(str(env, 'EXECUTION_FILES_PATH', 'execution_files')),
      cleanupDays: int(env, 'EXECUTION_FILES_CLEANUP_FREQUENCY', 90),
    },
    logLevel: env.CORNFLOW_LOG_SILENT === '1' ? 'silent' : LOG_LEVELS[logLevelNum]!,
    corsOrigins: str(env, 'CORS_ORIGINS', '*'),
    applicationRoot: str(env, 'APPLICATION_ROOT', '/'),
    maxBodyBytes: bytes(env, 'CORNFLOW_MAX_BODY_SIZE', 100 * 1024 ** 2),
    http: httpLimits(env),
    legacyUrl: httpUrl(env, 'CORNFLOW_LEGACY_URL'),
    failOnInvalidResponse: bool(env, 'CORNFLOW_FAIL_ON_INVALID_RESPONSE', flaskEnv !== 'production'),
    initialUsers: {
      admin: {
        username: str(env, 'CORNFLOW_ADMIN_USER', 'cornflow_admin'),
        email: str(env, 'CORNFLOW_ADMIN_EMAIL', 'cornflow_admin@cornflow.com'),
        password: str(env, 'CORNFLOW_ADMIN_PWD', 'Cornflow_admin1234'),
      },
      service: {
        username: str(env, 'CORNFLOW_SERVICE_USER', 'service_user'),
        email: str(env, 'CORNFLOW_SERVICE_EMAIL', 'service_user@cornflow.com'),
        password: str(env, 'CORNFLOW_SERVICE_PWD', 'Service_user1234'),
      },
    },
    serviceName: str(env, 'SERVICE_NAME', 'Cornflow'),
    email: {
      address: env.SERVICE_EMAIL_ADDRESS || undefined,
      password: env.SERVICE_EMAIL_PASSWORD || undefined,
      server: env.SERVICE_EMAIL_SERVER || undefined,
      port: emailPort,
    },
    ldap: {
      host: str(env, 'LDAP_HOST', 'ldap://openldap:389'),
      bindDn: str(env, 'LDAP_BIND_DN', 'cn=admin,dc=example,dc=org'),
      bindPassword: str(env, 'LDAP_BIND_PASSWORD', 'admin'),
      usernameAttribute: str(env, 'LDAP_USERNAME_ATTRIBUTE', 'cn'),
      userBase,
      serviceBase: str(env, 'LDAP_SERVICE_BASE', userBase),
      emailAttribute: str(env, 'LDAP_EMAIL_ATTRIBUTE', 'mail'),
      userObjectClass: str(env, 'LDAP_USER_OBJECT_CLASS', 'inetOrgPerson'),
      groupObjectClass: str(env, 'LDAP_GROUP_OBJECT_CLASS', 'groupOfNames'),
      groupBase: str(env, 'LDAP_GROUP_BASE', 'dc=example,dc=org'),
      groupToRole: {
        service: str(env, 'LDAP_GROUP_TO_ROLE_SERVICE', 'service'),
        admin: str(env, 'LDAP_GROUP_TO_ROLE_ADMIN', 'administrators'),
        viewer: str(env, 'LDAP_GROUP_TO_ROLE_VIEWER', 'viewers'),
        planner: str(env, 'LDAP_GROUP_TO_ROLE_PLANNER', 'planners'),
      },
    },
    oidc: {
      provider: env.OID_PROVIDER || undefined,
      providerType: int(env, 'OID_PROVIDER_TYPE', 2, [1, 2]) as 1 | 2,
      expectedAudience: env.OID_EXPECTED_AUDIENCE || undefined,
    },
  };
}
