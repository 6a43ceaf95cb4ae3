export * from './lib/queue-message';
export * from './lib/json.serializer';
export * from './lib/queue.store';
export * from './lib/redis-list.options';
export * from './lib/redis-list.context';
export * from './lib/redis-list.server';
export * from './lib/redis-list.client';
export * from './lib/redis-list.store';
export * from './lib/queue.inspector';
export * from './lib/queue.producer';
export * from './lib/eviction-policy';
export {
  createRedis,
  closeRedis,
  hashTagOf,
  isClusterUrl,
  parseClusterUrl,
  REDIS_KEEPALIVE_MS,
  REDIS_SOCKET_TIMEOUT_MS,
  redisTarget,
  type ClusterUrl,
  type RedisClient,
} from './lib/redis-connection';
