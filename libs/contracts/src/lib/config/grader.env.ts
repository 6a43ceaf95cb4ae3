import { COMMON_ENV } from './common.env';
import type { EnvCatalogue } from './env-variable';

/** Everything the grader reads from its environment (parsed by @koodi/server for apps/grader/src/app/config/grader.config.ts). */
export const GRADER_ENV = {
  DATABASE_URL: COMMON_ENV.DATABASE_URL,
  REDIS_URL: COMMON_ENV.REDIS_URL,
  REDIS_SENTINELS: COMMON_ENV.REDIS_SENTINELS,
  REDIS_SENTINEL_NAME: COMMON_ENV.REDIS_SENTINEL_NAME,
  GRADING_QUEUE: COMMON_ENV.GRADING_QUEUE,
  GRADER_SLOTS: {
    description: 'sandboxes per grader, and jobs handled at once',
    secret: false,
    defaultText: 'number of cores',
  },
  RUN_QUEUE: COMMON_ENV.RUN_QUEUE,
  RUN_SLOTS: {
    description:
      'sandboxes per grader kept for Runs, so graded jobs never delay one (`0` = this grader takes no Runs)',
    secret: false,
    default: '1',
  },
  GRADER_ID: {
    description: "names the grader's queue consumer (a random suffix is added per process)",
    secret: false,
    defaultText: '`<hostname>-<pid>`',
  },
  OPS_HOST: COMMON_ENV.OPS_HOST,
  OPS_PORT: {
    description: 'port of the health, readiness and metrics server (`0` picks a free one)',
    secret: false,
    default: '9200',
  },
  HEARTBEAT_TTL_MS: {
    description: "lease on jobs in hand; a dead grader's jobs return to the queue after it",
    secret: false,
    default: '10000',
  },
  SHUTDOWN_GRACE_SECONDS: COMMON_ENV.SHUTDOWN_GRACE_SECONDS,
  SANDBOX_BWRAP: {
    description: 'the bubblewrap binary of the sandbox',
    secret: false,
    default: '/usr/bin/bwrap',
  },
  SANDBOX_PYTHON: {
    description: 'the python3 the sandbox runs',
    secret: false,
    default: '/usr/bin/python3',
  },
  LOG_LEVEL: COMMON_ENV.LOG_LEVEL,
} as const satisfies EnvCatalogue;

export type GraderEnvName = keyof typeof GRADER_ENV;
