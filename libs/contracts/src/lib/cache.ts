/**
 * The API caches assignment reads in one Redis hash (one field per cached answer) and keeps a
 * short in-process copy in every replica. Purging = deleting the hash and announcing it on
 * {@link CACHE_PURGE_CHANNEL}, so every replica also drops its in-process copy at once.
 */
export const ASSIGNMENT_CACHE_KEY = '{cache}:assignments';

/** Redis pub/sub channel: a message names the cache that was purged (e.g. `assignments`). */
export const CACHE_PURGE_CHANNEL = 'events:cache-purge';
export const ASSIGNMENT_CACHE_SCOPE = 'assignments';

/** The two Redis commands a purge needs; an ioredis client fits as it is. */
export interface CachePurgeClient {
  del(key: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/** Drops every cached assignment answer in Redis and in every API replica. */
export async function purgeAssignmentCache(redis: CachePurgeClient): Promise<void> {
  await redis.del(ASSIGNMENT_CACHE_KEY);
  await redis.publish(CACHE_PURGE_CHANNEL, ASSIGNMENT_CACHE_SCOPE);
}
