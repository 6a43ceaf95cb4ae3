import type { RedisClient } from '../lib/redis-connection';
import { queueKeys } from '../lib/redis-list.options';
import type { InMemoryQueue } from '../lib/redis-list.store.mock';

/** The few list commands the producer and the inspector use, over an `InMemoryQueue`; records each call. */
export interface FakeRedis {
  readonly redis: RedisClient;
  readonly calls: string[];
}

/**
 * Unit-test stand-in for a shared connection: LPUSH, LRANGE 0 -1 and SMEMBERS on one queue's
 * keys, backed by the same arrays `InMemoryListStore` consumers take from. A consumer counts as
 * registered once it has a processing list, as `heartbeat` creates one.
 */
export function fakeRedis(broker: InMemoryQueue, queue: string): FakeRedis {
  const keys = queueKeys(queue);
  const calls: string[] = [];
  const listOf = (key: string): string[] => {
    if (key === keys.queue) return broker.queue;
    for (const [consumer, list] of broker.processing)
      if (keys.processing(consumer) === key) return list;
    return [];
  };
  const fake = {
    defineCommand: () => undefined,
    async lpush(key: string, ...values: string[]): Promise<number> {
      calls.push(`LPUSH ${key}`);
      if (key !== keys.queue) throw new Error(`fake Redis: LPUSH on unexpected key ${key}`);
      for (const value of values) broker.push(value);
      return broker.queue.length;
    },
    async lrange(key: string, start: number, stop: number): Promise<string[]> {
      calls.push(`LRANGE ${key}`);
      if (start !== 0 || stop !== -1) throw new Error('fake Redis: only LRANGE 0 -1 is supported');
      return [...listOf(key)];
    },
    async smembers(key: string): Promise<string[]> {
      calls.push(`SMEMBERS ${key}`);
      return key === keys.consumers ? [...broker.processing.keys()] : [];
    },
  };
  return { redis: fake as unknown as RedisClient, calls };
}
