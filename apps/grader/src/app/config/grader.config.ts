import { availableParallelism, hostname } from 'node:os';
import {
  type EnvVariable,
  GRADER_ENV,
  type GraderEnvName,
  LOG_LEVELS,
  type LogLevel,
  parseLogLevel,
} from '@koodi/contracts';
import { clusterQueueProblem, isClusterUrl, parseClusterUrl, redisTarget } from '@koodi/queue';

/** Everything the grader reads from its environment, declared in GRADER_ENV (`@koodi/contracts`). */
export interface GraderConfig {
  databaseUrl: string;
  /**
   * Where Redis is: REDIS_URL (secret: may hold a password; required unless sentinels are set),
   * or REDIS_SENTINELS (`host:port,host:port`, no default, not secret) with REDIS_SENTINEL_NAME
   * (the primary group the sentinels watch, no default, not secret), which the connection code
   * follows through a failover. One string either way, for `createRedis` of @koodi/queue.
   */
  redisUrl: string;
  gradingQueue: string;
  slots: number;
  runQueue: string;
  /** Sandboxes of their own for Runs; 0: this grader takes none. */
  runSlots: number;
  graderId: string;
  opsHost: string;
  opsPort: number;
  heartbeatTtlMs: number;
  shutdownTimeoutMs: number;
  sandboxBwrap: string;
  sandboxPython: string;
  logLevel: LogLevel;
}

export const GRADER_CONFIG = Symbol('GRADER_CONFIG');

export class GraderConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid grader configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'GraderConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment, reporting every bad variable at once. */
export function loadGraderConfig(env: Env = process.env): GraderConfig {
  const problems: string[] = [];
  // Only names declared in GRADER_ENV can be read, so the README's table cannot miss one.
  const read = (name: GraderEnvName): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const fallbackOf = (name: GraderEnvName): string => {
    const variable: EnvVariable = GRADER_ENV[name];
    return variable.default ?? '';
  };

  const url = (name: GraderEnvName, protocols: string[], example: string): string => {
    const value = read(name);
    if (value === undefined) {
      problems.push(`${name} is required (e.g. ${example})`);
      return '';
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      // The value may hold a password: never echo it.
      problems.push(`${name} is not a valid URL (expected e.g. ${example})`);
      return '';
    }
    if (!protocols.includes(parsed.protocol)) {
      problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    }
    return value;
  };

  // A cluster's seed list is no WHATWG URL; the message never echoes the password.
  const clusterUrl = (value: string): string => {
    try {
      parseClusterUrl(value);
    } catch (error) {
      problems.push(`REDIS_URL: ${(error as Error).message}`);
    }
    return value;
  };

  const integer = (
    name: GraderEnvName,
    min: number,
    max: number,
    fallback = Number(fallbackOf(name)),
  ): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  };

  const absolutePath = (name: GraderEnvName): string => {
    const value = read(name) ?? fallbackOf(name);
    if (!value.startsWith('/')) problems.push(`${name} must be an absolute path, got "${value}"`);
    return value;
  };

  // REDIS_SENTINELS with REDIS_SENTINEL_NAME (and REDIS_URL's password and database, when set).
  const sentinelTarget = (): string => {
    try {
      return redisTarget({
        REDIS_URL: read('REDIS_URL'),
        REDIS_SENTINELS: read('REDIS_SENTINELS'),
        REDIS_SENTINEL_NAME: read('REDIS_SENTINEL_NAME'),
      });
    } catch (error) {
      problems.push((error as Error).message);
      return '';
    }
  };

  const gradingQueue = read('GRADING_QUEUE') ?? fallbackOf('GRADING_QUEUE');
  if (/\s/.test(gradingQueue)) problems.push('GRADING_QUEUE must not contain spaces');

  const redisUrl =
    read('REDIS_SENTINELS') || read('REDIS_SENTINEL_NAME')
      ? sentinelTarget()
      : isClusterUrl(read('REDIS_URL') ?? '')
        ? clusterUrl(read('REDIS_URL') ?? '')
        : url('REDIS_URL', ['redis:', 'rediss:'], 'redis://host:6379');
  const clusterProblem = clusterQueueProblem(redisUrl, gradingQueue);
  if (clusterProblem) problems.push(`GRADING_QUEUE: ${clusterProblem}`);

  const runQueue = read('RUN_QUEUE') ?? fallbackOf('RUN_QUEUE');
  if (/\s/.test(runQueue)) problems.push('RUN_QUEUE must not contain spaces');
  if (runQueue === gradingQueue) problems.push('RUN_QUEUE must differ from GRADING_QUEUE');
  const runClusterProblem = clusterQueueProblem(redisUrl, runQueue);
  if (runClusterProblem) problems.push(`RUN_QUEUE: ${runClusterProblem}`);

  const graderId = read('GRADER_ID') ?? `${hostname()}-${process.pid}`;
  if (/[\s*?[\]]/.test(graderId)) {
    problems.push(
      `GRADER_ID must not contain spaces or glob characters (* ? [ ]), got "${graderId}"`,
    );
  }

  const logLevelRaw = read('LOG_LEVEL') ?? fallbackOf('LOG_LEVEL');
  const parsedLogLevel = parseLogLevel(logLevelRaw);
  if (parsedLogLevel === undefined) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevelRaw}"`);
  }
  const logLevel: LogLevel = parsedLogLevel ?? 'info';

  const heartbeatTtlMs = integer('HEARTBEAT_TTL_MS', 300, 600_000);

  const config: GraderConfig = {
    databaseUrl: url(
      'DATABASE_URL',
      ['postgres:', 'postgresql:'],
      'postgres://user:password@host:5432/koodi',
    ),
    redisUrl,
    gradingQueue,
    slots: integer('GRADER_SLOTS', 1, 256, availableParallelism()),
    runQueue,
    runSlots: integer('RUN_SLOTS', 0, 64),
    graderId,
    opsHost: read('OPS_HOST') ?? fallbackOf('OPS_HOST'),
    opsPort: integer('OPS_PORT', 0, 65_535),
    heartbeatTtlMs,
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 0, 600_000),
    sandboxBwrap: absolutePath('SANDBOX_BWRAP'),
    sandboxPython: absolutePath('SANDBOX_PYTHON'),
    logLevel,
  };
  if (problems.length > 0) throw new GraderConfigError(problems);
  return config;
}
