import type { COMMON_ENV, EnvVariable, LogLevel } from '@koodi/contracts';
import { clusterQueueProblem, isClusterUrl, parseClusterUrl, redisTarget } from '@koodi/queue';
import type { EnvReader } from './env.reader';

/** The variables every server process reads with one meaning: COMMON_ENV, and its own OPS_PORT. */
export type ServerEnvName = keyof typeof COMMON_ENV | 'OPS_PORT';
type ServerEnv = Readonly<Record<ServerEnvName, EnvVariable>>;

/** What the API and the grader both take from their environment, parsed the same way. */
export interface ServerConfig {
  databaseUrl: string;
  /**
   * Where Redis is: REDIS_URL (one server, or a `redis+cluster://` seed list), or REDIS_SENTINELS
   * with REDIS_SENTINEL_NAME, which the connection code follows through a failover. One string
   * either way, for `createRedis` of @koodi/queue.
   */
  redisUrl: string;
  gradingQueue: string;
  /** The Run lane: its own list, so graded submissions never wait in front of a Run. */
  runQueue: string;
  opsHost: string;
  opsPort: number;
  logLevel: LogLevel;
  shutdownGraceSeconds: number;
}

export function readServerConfig(env: EnvReader<ServerEnv>): ServerConfig {
  const redisUrl = readRedisUrl(env);
  const gradingQueue = env.text('GRADING_QUEUE');
  if (/\s/.test(gradingQueue)) env.problem('GRADING_QUEUE must not contain spaces');
  const clusterProblem = clusterQueueProblem(redisUrl, gradingQueue);
  if (clusterProblem) env.problem(`GRADING_QUEUE: ${clusterProblem}`);
  const runQueue = env.text('RUN_QUEUE');
  if (/\s/.test(runQueue)) env.problem('RUN_QUEUE must not contain spaces');
  if (runQueue === gradingQueue) env.problem('RUN_QUEUE must differ from GRADING_QUEUE');
  const runClusterProblem = clusterQueueProblem(redisUrl, runQueue);
  if (runClusterProblem) env.problem(`RUN_QUEUE: ${runClusterProblem}`);
  return {
    databaseUrl: env.url(
      'DATABASE_URL',
      ['postgres:', 'postgresql:'],
      'postgres://user:password@host:5432/koodi',
    ),
    redisUrl,
    gradingQueue,
    runQueue,
    opsHost: env.text('OPS_HOST'),
    opsPort: env.integer('OPS_PORT', 0, 65_535),
    logLevel: env.logLevel('LOG_LEVEL'),
    shutdownGraceSeconds: env.integer('SHUTDOWN_GRACE_SECONDS', 0, 600),
  };
}

/**
 * REDIS_URL (one server or a cluster), or REDIS_SENTINELS with REDIS_SENTINEL_NAME (and
 * REDIS_URL's password and database, when set). Messages never echo a password.
 */
function readRedisUrl(env: EnvReader<ServerEnv>): string {
  const url = env.raw('REDIS_URL');
  const sentinels = env.raw('REDIS_SENTINELS');
  const sentinelName = env.raw('REDIS_SENTINEL_NAME');
  if (sentinels || sentinelName) {
    try {
      return redisTarget({
        REDIS_URL: url,
        REDIS_SENTINELS: sentinels,
        REDIS_SENTINEL_NAME: sentinelName,
      });
    } catch (error) {
      env.problem((error as Error).message);
      return '';
    }
  }
  if (!isClusterUrl(url ?? ''))
    return env.url('REDIS_URL', ['redis:', 'rediss:'], 'redis://host:6379');
  // A cluster's seed list is no WHATWG URL.
  try {
    parseClusterUrl(url ?? '');
  } catch (error) {
    env.problem(`REDIS_URL: ${(error as Error).message}`);
  }
  return url ?? '';
}
