import { COMMON_ENV } from './common.env';
import type { EnvCatalogue } from './env-variable';

/** Everything the API reads from its environment (parsed by @koodi/server for apps/api/src/config/api.config.ts). */
export const API_ENV = {
  NODE_ENV: {
    description:
      '`production`: `COOKIE_SECRET` required, HSTS on HTTPS answers, a warning when students arrive over plain HTTP (the cookie is `__Host-` and Secure over HTTPS in every mode, plain over HTTP); the only app that reads it',
    secret: false,
    default: 'development',
  },
  DATABASE_URL: COMMON_ENV.DATABASE_URL,
  DATABASE_POOL_SIZE: {
    description: 'PostgreSQL connections per API replica',
    secret: false,
    default: '10',
  },
  REDIS_URL: COMMON_ENV.REDIS_URL,
  REDIS_SENTINELS: COMMON_ENV.REDIS_SENTINELS,
  REDIS_SENTINEL_NAME: COMMON_ENV.REDIS_SENTINEL_NAME,
  COOKIE_SECRET: {
    description: 'HMAC key of the identity cookie, at least 32 characters',
    secret: true,
    defaultText:
      'a development key with a warning; required in production (`npm start` keeps one in `.data/`)',
  },
  API_HOST: { description: 'address the HTTP API listens on', secret: false, default: '127.0.0.1' },
  API_PORT: { description: 'port of the HTTP API', secret: false, default: '3000' },
  OPS_HOST: COMMON_ENV.OPS_HOST,
  OPS_PORT: {
    description: 'port of the health, readiness and metrics server (`0` picks a free one)',
    secret: false,
    default: '9100',
  },
  GRADING_QUEUE: COMMON_ENV.GRADING_QUEUE,
  RATE_LIMIT_SUBMISSIONS_PER_MINUTE: {
    description: 'submissions per student per minute, across replicas (`0` = off)',
    secret: false,
    default: '10',
  },
  RUN_QUEUE: COMMON_ENV.RUN_QUEUE,
  RATE_LIMIT_RUNS_PER_MINUTE: {
    description:
      'Runs (visible samples, no submission) per student per minute, across replicas (`0` = off)',
    secret: false,
    default: '30',
  },
  RUN_TIMEOUT_GRACE_MS: {
    description:
      "how long past the assignment's wall-clock limit a Run waits for a grader's answer before a 503",
    secret: false,
    default: '3000',
  },
  RATE_LIMIT_IP_PER_MINUTE: {
    description: 'coarse flood guard per address and replica; a classroom behind one NAT fits',
    secret: false,
    default: '3000',
  },
  TRUST_PROXY: {
    description:
      'whose `X-Forwarded-*` headers to believe (`X-Forwarded-Proto` decides HTTPS, hence which cookie): `true`, `false`, or addresses and ranges',
    secret: false,
    default: 'loopback',
  },
  LOG_LEVEL: COMMON_ENV.LOG_LEVEL,
  RECONCILE_AFTER_SECONDS: {
    description: 'a submission queued or grading this long with no job in Redis is re-queued',
    secret: false,
    default: '60',
  },
  RECONCILE_INTERVAL_SECONDS: {
    description: 'how often the reconciler looks (`0` = never)',
    secret: false,
    default: '15',
  },
  ASSIGNMENT_CACHE_SECONDS: {
    description: 'assignment cache in Redis',
    secret: false,
    default: '300',
  },
  LOCAL_CACHE_SECONDS: {
    description: 'assignment cache in each replica (`0` = off)',
    secret: false,
    default: '5',
  },
  SSE_HEARTBEAT_SECONDS: {
    description: 'keeps idle event streams open through proxies',
    secret: false,
    default: '15',
  },
  SHUTDOWN_GRACE_SECONDS: COMMON_ENV.SHUTDOWN_GRACE_SECONDS,
} as const satisfies EnvCatalogue;

export type ApiEnvName = keyof typeof API_ENV;
