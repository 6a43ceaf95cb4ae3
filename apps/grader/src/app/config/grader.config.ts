import { availableParallelism, hostname } from 'node:os';
import { GRADING_QUEUE } from '@koodi/contracts';
import { clusterQueueProblem, isClusterUrl, parseClusterUrl } from '@koodi/queue';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the grader reads from its environment; documented in apps/grader/README.md. */
export interface GraderConfig {
  databaseUrl: string;
  redisUrl: string;
  gradingQueue: string;
  slots: number;
  graderId: string;
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
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const url = (name: string, protocols: string[], example: string): string => {
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

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  };

  const absolutePath = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    if (!value.startsWith('/')) problems.push(`${name} must be an absolute path, got "${value}"`);
    return value;
  };

  const gradingQueue = read('GRADING_QUEUE') ?? GRADING_QUEUE;
  if (/\s/.test(gradingQueue)) problems.push('GRADING_QUEUE must not contain spaces');

  const redisUrl = isClusterUrl(read('REDIS_URL') ?? '')
    ? clusterUrl(read('REDIS_URL') ?? '')
    : url('REDIS_URL', ['redis:', 'rediss:'], 'redis://host:6379');
  const clusterProblem = clusterQueueProblem(redisUrl, gradingQueue);
  if (clusterProblem) problems.push(`GRADING_QUEUE: ${clusterProblem}`);

  const graderId = read('GRADER_ID') ?? `${hostname()}-${process.pid}`;
  if (/[\s*?[\]]/.test(graderId)) {
    problems.push(`GRADER_ID must not contain spaces or glob characters (* ? [ ]), got "${graderId}"`);
  }

  const logLevel = (read('LOG_LEVEL') ?? 'log') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const heartbeatTtlMs = integer('HEARTBEAT_TTL_MS', 10_000, 300, 600_000);

  const config: GraderConfig = {
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/koodi'),
    redisUrl,
    gradingQueue,
    slots: integer('GRADER_SLOTS', availableParallelism(), 1, 256),
    graderId,
    opsPort: integer('OPS_PORT', 9200, 0, 65_535),
    heartbeatTtlMs,
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    sandboxBwrap: absolutePath('SANDBOX_BWRAP', '/usr/bin/bwrap'),
    sandboxPython: absolutePath('SANDBOX_PYTHON', '/usr/bin/python3'),
    logLevel,
  };
  if (problems.length > 0) throw new GraderConfigError(problems);
  return config;
}

/** The levels Nest's logger prints for a threshold: everything at least as severe. */
export function logLevelsFrom(threshold: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(threshold) + 1);
}
