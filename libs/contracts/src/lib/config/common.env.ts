import { GRADING_QUEUE } from '../queue';
import type { EnvCatalogue } from './env-variable';

/** Variables the API and the grader read with the same meaning and default. */
export const COMMON_ENV = {
  DATABASE_URL: {
    description: 'PostgreSQL URL (`postgres://…`); never reaches the sandbox',
    secret: true,
  },
  REDIS_URL: {
    description:
      '`redis://[:password@]host:port[/db]` (`rediss://` for TLS), or `redis+cluster://[:password@]host:port[,host:port…]` (`rediss+cluster://`) for a Redis Cluster ([OPERATIONS](docs/OPERATIONS.md#redis-one-server-or-a-cluster)); API and grader refuse to start on an `allkeys-*` `maxmemory-policy`',
    secret: true,
  },
  GRADING_QUEUE: {
    description: 'Redis list of grading jobs; on a cluster it needs a `{hash tag}`',
    secret: false,
    default: GRADING_QUEUE,
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
} as const satisfies EnvCatalogue;
