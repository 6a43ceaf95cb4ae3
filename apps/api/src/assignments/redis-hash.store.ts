import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { RedisClient } from '@koodi/queue';

/**
 * A keyv store keeping every entry as a field of one Redis hash, so the whole cache is purged
 * with a single DEL. Keyv stores each entry's expiry inside the value and drops stale ones on
 * read; the hash itself also expires after the longest TTL written, as a backstop.
 */
export class RedisHashStore extends EventEmitter implements KeyvStoreAdapter {
  opts = {};
  namespace?: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly hashKey: string,
  ) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.redis.hget(this.hashKey, key);
    return (value ?? undefined) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const values = await this.redis.hmget(this.hashKey, ...keys);
    return values.map((value) => (value ?? undefined) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    const multi = this.redis.multi().hset(this.hashKey, key, String(value));
    if (ttl && ttl > 0) multi.pexpire(this.hashKey, ttl, 'GT').pexpire(this.hashKey, ttl, 'NX');
    await multi.exec();
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.hdel(this.hashKey, key)) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.hexists(this.hashKey, key)) === 1;
  }

  async clear(): Promise<void> {
    await this.redis.del(this.hashKey);
  }
}
