import {
  API_ENV,
  type ApiEnvName,
  type EnvVariable,
  LOG_LEVELS,
  type LogLevel,
  parseLogLevel,
} from '@koodi/contracts';
import { clusterQueueProblem, isClusterUrl, parseClusterUrl, redisTarget } from '@koodi/queue';

/** Everything the API reads from its environment (declared in API_ENV), parsed once at boot. */
export interface ApiConfig {
  nodeEnv: string;
  production: boolean;
  databaseUrl: string;
  databasePoolSize: number;
  /**
   * Where Redis is: REDIS_URL (secret: may hold a password; required unless sentinels are set),
   * or REDIS_SENTINELS (`host:port,host:port`, no default, not secret) with REDIS_SENTINEL_NAME
   * (the primary group the sentinels watch, no default, not secret), which the connection code
   * follows through a failover. One string either way, for `createRedis` of @koodi/queue.
   */
  redisUrl: string;
  host: string;
  port: number;
  opsHost: string;
  opsPort: number;
  cookieSecret: string;
  /** True when COOKIE_SECRET was not set and the development default is used. */
  cookieSecretIsDefault: boolean;
  gradingQueue: string;
  rateLimitSubmissionsPerMinute: number;
  runQueue: string;
  rateLimitRunsPerMinute: number;
  runTimeoutGraceMs: number;
  rateLimitIpPerMinute: number;
  trustProxy: boolean | string;
  logLevel: LogLevel;
  reconcileAfterSeconds: number;
  reconcileIntervalSeconds: number;
  assignmentCacheSeconds: number;
  localCacheSeconds: number;
  sseHeartbeatSeconds: number;
  shutdownGraceSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const DEV_COOKIE_SECRET = 'koodi-development-cookie-secret-not-for-production';

/** A variable's documented default; every name read below is declared in API_ENV. */
function fallbackOf(name: ApiEnvName): string {
  const variable: EnvVariable = API_ENV[name];
  return variable.default ?? '';
}

/** Parses and checks every variable, then throws one error naming all the bad ones. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const problems: string[] = [];
  // Only names declared in API_ENV can be read, so the README's table cannot miss one.
  const read = (name: ApiEnvName): string | undefined => env[name];
  const nodeEnv = read('NODE_ENV') || fallbackOf('NODE_ENV');
  const production = nodeEnv === 'production';

  const url = (name: ApiEnvName, protocols: string[]): string => {
    const value = read(name);
    if (!value) {
      problems.push(`${name} is required (${protocols[0]}//…)`);
      return '';
    }
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must start with ${protocols.join(' or ')}//`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value;
  };
  const int = (name: ApiEnvName, min: number, max: number): number => {
    const fallback = Number(fallbackOf(name));
    const raw = read(name);
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const text = (name: ApiEnvName): string => read(name) || fallbackOf(name);

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = redisAddress(
    {
      REDIS_URL: read('REDIS_URL'),
      REDIS_SENTINELS: read('REDIS_SENTINELS'),
      REDIS_SENTINEL_NAME: read('REDIS_SENTINEL_NAME'),
    },
    problems,
    () => url('REDIS_URL', ['redis:', 'rediss:']),
  );

  let cookieSecret = read('COOKIE_SECRET') ?? '';
  const cookieSecretIsDefault = !cookieSecret;
  if (!cookieSecret) {
    if (production) problems.push('COOKIE_SECRET is required when NODE_ENV=production');
    cookieSecret = DEV_COOKIE_SECRET;
  } else if (cookieSecret.length < 32) {
    problems.push('COOKIE_SECRET must be at least 32 characters');
  }

  const logLevelRaw = text('LOG_LEVEL');
  const parsedLogLevel = parseLogLevel(logLevelRaw);
  if (parsedLogLevel === undefined) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);
  }
  const logLevel = parsedLogLevel ?? 'info';

  const trustProxyRaw = text('TRUST_PROXY');
  const trustProxy =
    trustProxyRaw === 'true' ? true : trustProxyRaw === 'false' ? false : trustProxyRaw;

  const gradingQueue = text('GRADING_QUEUE');
  if (/\s/.test(gradingQueue)) problems.push('GRADING_QUEUE must not contain spaces');
  const clusterProblem = clusterQueueProblem(redisUrl, gradingQueue);
  if (clusterProblem) problems.push(`GRADING_QUEUE: ${clusterProblem}`);

  const runQueue = text('RUN_QUEUE');
  if (/\s/.test(runQueue)) problems.push('RUN_QUEUE must not contain spaces');
  if (runQueue === gradingQueue) problems.push('RUN_QUEUE must differ from GRADING_QUEUE');
  const runClusterProblem = clusterQueueProblem(redisUrl, runQueue);
  if (runClusterProblem) problems.push(`RUN_QUEUE: ${runClusterProblem}`);

  const config: ApiConfig = {
    nodeEnv,
    production,
    databaseUrl,
    databasePoolSize: int('DATABASE_POOL_SIZE', 1, 200),
    redisUrl,
    host: text('API_HOST'),
    port: int('API_PORT', 0, 65535),
    opsHost: text('OPS_HOST'),
    opsPort: int('OPS_PORT', 0, 65535),
    cookieSecret,
    cookieSecretIsDefault,
    gradingQueue,
    rateLimitSubmissionsPerMinute: int('RATE_LIMIT_SUBMISSIONS_PER_MINUTE', 0, 100_000),
    runQueue,
    rateLimitRunsPerMinute: int('RATE_LIMIT_RUNS_PER_MINUTE', 0, 100_000),
    runTimeoutGraceMs: int('RUN_TIMEOUT_GRACE_MS', 100, 600_000),
    rateLimitIpPerMinute: int('RATE_LIMIT_IP_PER_MINUTE', 0, 10_000_000),
    trustProxy,
    logLevel,
    reconcileAfterSeconds: int('RECONCILE_AFTER_SECONDS', 1, 86_400),
    reconcileIntervalSeconds: int('RECONCILE_INTERVAL_SECONDS', 0, 3_600),
    assignmentCacheSeconds: int('ASSIGNMENT_CACHE_SECONDS', 1, 86_400),
    localCacheSeconds: int('LOCAL_CACHE_SECONDS', 0, 3_600),
    sseHeartbeatSeconds: int('SSE_HEARTBEAT_SECONDS', 1, 300),
    shutdownGraceSeconds: int('SHUTDOWN_GRACE_SECONDS', 0, 300),
  };
  if (config.port !== 0 && config.port === config.opsPort) {
    problems.push('OPS_PORT must differ from API_PORT');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * One Redis target from REDIS_URL (one server or a cluster) or from REDIS_SENTINELS with
 * REDIS_SENTINEL_NAME (and REDIS_URL's password and database, when set). Messages never echo a
 * password.
 */
function redisAddress(
  env: { REDIS_URL?: string; REDIS_SENTINELS?: string; REDIS_SENTINEL_NAME?: string },
  problems: string[],
  plainUrl: () => string,
): string {
  if (env.REDIS_SENTINELS || env.REDIS_SENTINEL_NAME) {
    try {
      return redisTarget(env);
    } catch (error) {
      problems.push((error as Error).message);
      return '';
    }
  }
  if (!isClusterUrl(env.REDIS_URL ?? '')) return plainUrl();
  try {
    parseClusterUrl(env.REDIS_URL ?? '');
  } catch (error) {
    problems.push(`REDIS_URL: ${(error as Error).message}`);
  }
  return env.REDIS_URL ?? '';
}

export const API_CONFIG = Symbol('API_CONFIG');
