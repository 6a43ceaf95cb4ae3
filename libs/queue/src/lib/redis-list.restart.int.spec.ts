import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { ThrowawayRedis } from '../test/redis-server';
import { sleep, waitFor } from '../test/wait-for';
import { RedisListClient } from './redis-list.client';
import type { RedisListContext } from './redis-list.context';
import { RedisListServer } from './redis-list.server';

Logger.overrideLogger(false);

describe(`${RedisListServer.name} across a Redis restart`, () => {
  let redis: ThrowawayRedis;

  before(async () => {
    redis = await ThrowawayRedis.start();
  });

  after(async () => {
    await redis.destroy();
  });

  it('reconnects server and client after Redis restarts, and work continues', async () => {
    const queue = 'restart:queue';
    const sut = new RedisListServer({
      redisUrl: redis.url,
      queue,
      concurrency: 2,
      heartbeatTtlMs: 1_000,
      blockTimeoutSeconds: 0.2,
    });
    const errors: unknown[] = [];
    sut.on('error', (error) => errors.push(error));
    const handled = new Set<string>();
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => void handled.add(ctx.getMessageId()),
      true,
    );
    await new Promise<void>((resolve, reject) => {
      sut.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
    });
    const producer = new RedisListClient({
      redisUrl: redis.url,
      queue,
      messageIdOf: (_p, data) => String(data),
    });
    try {
      for (let i = 0; i < 20; i++) await producer.enqueue('job', `before-${i}`);
      await waitFor(() => handled.size === 20, 5_000, 'the first batch');

      await redis.stop();
      await sleep(500);
      await redis.start();
      const after = Array.from({ length: 20 }, (_, i) => `after-${i}`);
      for (const id of after) await producer.enqueue('job', id);

      await waitFor(
        () => after.every((id) => handled.has(id)),
        15_000,
        'the batch sent after the restart',
      );
      assert.ok(errors.length > 0, 'the outage was reported through the error listener');
    } finally {
      await sut.close();
      await producer.close();
    }
  });

  it('delivers a message a connected producer pushed while Redis was down, once Redis is back', async () => {
    const queue = 'restart:waiting';
    const producer = new RedisListClient({
      redisUrl: redis.url,
      queue,
      messageIdOf: (_p, data) => String(data),
    });
    const sut = new RedisListServer({ redisUrl: redis.url, queue, blockTimeoutSeconds: 0.2 });
    const handled: string[] = [];
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => void handled.push(ctx.getMessageId()),
      true,
    );
    try {
      await new Promise<void>((resolve, reject) => {
        sut.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
      });
      await producer.connect();
      await redis.stop();
      // Producer pushes while Redis is down: the command waits for the reconnection.
      const pushed = producer.enqueue('job', 'during-outage');
      await sleep(300);
      await redis.start();
      await pushed;

      await waitFor(
        () => handled.includes('during-outage'),
        15_000,
        'the message pushed during the outage',
      );
    } finally {
      await sut.close();
      await producer.close();
    }
  });
});
