import { GRADING_QUEUE, RUN_QUEUE } from '../queue';
import type { EnvCatalogue } from './env-variable';

/** Variables the API and the grader read with the same meaning and default. */
export const COMMON_ENV = {
  DATABASE_URL: {
    description: 'PostgreSQL URL (`postgres://…`); never reaches the sandbox',
    secret: true,
  },
  REDIS_URL: {
    description:
      '`redis://[:password@]host:port[/db]` (`rediss://` for TLS), or `redis+cluster://[:password@]host:port[,host:port…]` (`rediss+cluster://`) for a Redis Cluster ([OPERATIONS](docs/OPERATIONS.md#redis-one-server-or-a-cluster)); API and grader refuse to start on an `allkeys-*` `maxmemory-policy`; optional with `REDIS_SENTINELS`',
    secret: true,
  },
  REDIS_SENTINELS: {
    description:
      'Redis through Sentinel instead of one address: `host:port,host:port` of the sentinels; needs `REDIS_SENTINEL_NAME`, and every connection follows a failover ([OPERATIONS](docs/OPERATIONS.md#redis-with-sentinel)); a `REDIS_URL` set as well only lends its password and database',
    secret: false,
    defaultText: 'unset: Redis is `REDIS_URL`',
  },
  REDIS_SENTINEL_NAME: {
    description: 'the primary group the sentinels of `REDIS_SENTINELS` watch',
    secret: false,
    defaultText: 'unset; required with `REDIS_SENTINELS`',
  },
  GRADING_QUEUE: {
    description: 'Redis list of grading jobs; on a cluster it needs a `{hash tag}`',
    secret: false,
    default: GRADING_QUEUE,
  },
  RUN_QUEUE: {
    description:
      'Redis list of Run requests (the lane of its own that graded jobs never delay); on a cluster it needs a `{hash tag}`',
    secret: false,
    default: RUN_QUEUE,
  },
  OPS_HOST: {
    description:
      'address of the health, readiness and Prometheus metrics server, never behind the public NGINX',
    secret: false,
    default: '127.0.0.1',
  },
  LOG_LEVEL: {
    description:
      'JSON log lines (pino) at this level and above: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent` (`log` and `verbose` are read as `info` and `trace`)',
    secret: false,
    default: 'info',
  },
  SHUTDOWN_GRACE_SECONDS: {
    description:
      'after SIGTERM, how long to finish the work in hand (requests and event streams; grading jobs, which the grader then hands back to the queue) before exiting',
    secret: false,
    default: '10',
  },
} as const satisfies EnvCatalogue;
