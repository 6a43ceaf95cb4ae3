// Test support only (the `@koodi/queue/testing` entry): never imported by production code.
export { freePort } from './free-port';
export { LocalRedisCluster } from './local-redis-cluster';
