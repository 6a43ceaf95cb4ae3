import { API_ENV, type ApiEnvName } from '@koodi/contracts';
import {
  ConfigError,
  type Env,
  EnvReader,
  readServerConfig,
  type ServerConfig,
} from '@koodi/server';

export { ConfigError };

/**
 * Everything the API reads from its environment (declared in API_ENV), parsed once at boot by
 * the shared reader of @koodi/server; the variables the grader reads too are in ServerConfig.
 */
export interface ApiConfig extends ServerConfig {
  nodeEnv: string;
  production: boolean;
  databasePoolSize: number;
  host: string;
  port: number;
  cookieSecret: string;
  /** True when COOKIE_SECRET was not set and the development default is used. */
  cookieSecretIsDefault: boolean;
  rateLimitSubmissionsPerMinute: number;
  runQueue: string;
  rateLimitRunsPerMinute: number;
  runTimeoutGraceMs: number;
  rateLimitIpPerMinute: number;
  trustProxy: boolean | string;
  reconcileAfterSeconds: number;
  reconcileIntervalSeconds: number;
  assignmentCacheSeconds: number;
  localCacheSeconds: number;
  sseHeartbeatSeconds: number;
}

const DEV_COOKIE_SECRET = 'koodi-development-cookie-secret-not-for-production';

/** Parses and checks every variable, then throws one ConfigError naming all the bad ones. */
export function loadApiConfig(env: Env = process.env): ApiConfig {
  const read = new EnvReader(API_ENV, env);
  const nodeEnv = read.text('NODE_ENV');
  const production = nodeEnv === 'production';

  // A key: read byte for byte, never trimmed.
  let cookieSecret = read.verbatim('COOKIE_SECRET') ?? '';
  const cookieSecretIsDefault = !cookieSecret;
  if (!cookieSecret) {
    if (production) read.problem('COOKIE_SECRET is required when NODE_ENV=production');
    cookieSecret = DEV_COOKIE_SECRET;
  } else if (cookieSecret.length < 32) {
    read.problem('COOKIE_SECRET must be at least 32 characters');
  }

  const int = (name: ApiEnvName, min: number, max: number) => read.integer(name, min, max);
  const config: ApiConfig = {
    ...readServerConfig(read),
    nodeEnv,
    production,
    databasePoolSize: int('DATABASE_POOL_SIZE', 1, 200),
    host: read.text('API_HOST'),
    port: int('API_PORT', 0, 65535),
    cookieSecret,
    cookieSecretIsDefault,
    rateLimitSubmissionsPerMinute: int('RATE_LIMIT_SUBMISSIONS_PER_MINUTE', 0, 100_000),
    rateLimitRunsPerMinute: int('RATE_LIMIT_RUNS_PER_MINUTE', 0, 100_000),
    runTimeoutGraceMs: int('RUN_TIMEOUT_GRACE_MS', 100, 600_000),
    rateLimitIpPerMinute: int('RATE_LIMIT_IP_PER_MINUTE', 0, 10_000_000),
    trustProxy: read.booleanOrText('TRUST_PROXY'),
    reconcileAfterSeconds: int('RECONCILE_AFTER_SECONDS', 1, 86_400),
    reconcileIntervalSeconds: int('RECONCILE_INTERVAL_SECONDS', 0, 3_600),
    assignmentCacheSeconds: int('ASSIGNMENT_CACHE_SECONDS', 1, 86_400),
    localCacheSeconds: int('LOCAL_CACHE_SECONDS', 0, 3_600),
    sseHeartbeatSeconds: int('SSE_HEARTBEAT_SECONDS', 1, 300),
  };
  if (config.port !== 0 && config.port === config.opsPort) {
    read.problem('OPS_PORT must differ from API_PORT');
  }
  return read.finish(config);
}

export const API_CONFIG = Symbol('API_CONFIG');
