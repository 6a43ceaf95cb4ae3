import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The shared Redis of the test run (never flushed: every test uses its own queue name). */
export function redisUrl(): string {
  const url = process.env['REDIS_URL'];
  if (!url)
    throw new Error('REDIS_URL is not set; run the tests through tools/stack/with-services.ts');
  return url;
}

export function uniqueQueue(label: string): string {
  return `test:queue:${label}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key of one test queue (the queue, its processing, heartbeat, dead and reply keys). */
export async function dropQueueKeys(url: string, queue: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queue}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
