import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { dropQueueKeys, redisUrl, uniqueQueue } from '../test/redis';
import { JsonQueueSerializer } from './json.serializer';
import type { QueueDeserializer } from './queue-message';
import { QueueInspector } from './queue.inspector';
import { QueueProducer } from './queue.producer';
import { RedisListClient } from './redis-list.client';
import { queueKeys } from './redis-list.options';

describe(QueueInspector.name, () => {
  const cleanups: (() => Promise<unknown>)[] = [];

  async function fixture(label: string, ids: string[]) {
    const queue = uniqueQueue(label);
    const redis = new Redis(redisUrl());
    const producer = new RedisListClient({
      redisUrl: redisUrl(),
      queue,
      messageIdOf: (_p, data) => String(data),
    });
    cleanups.push(
      () => dropQueueKeys(redisUrl(), queue),
      () => redis.quit(),
      () => producer.close(),
    );
    for (const id of ids) await producer.enqueue('job', id);
    return { queue, redis, keys: queueKeys(queue) };
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('counts waiting messages', async () => {
    const { queue, redis } = await fixture('length', ['a', 'b', 'c']);
    const sut = new QueueInspector(redis, queue);

    assert.equal(await sut.length(), 3);
  });

  it('gives 1-based positions from the message taken next, and null for an unknown id', async () => {
    const { queue, redis } = await fixture('position', ['first', 'second', 'third']);
    const sut = new QueueInspector(redis, queue);

    assert.equal(await sut.positionOf('first'), 1);
    assert.equal(await sut.positionOf('third'), 3);
    assert.equal(await sut.positionOf('missing'), null);
  });

  it('does not confuse an id with another that merely starts the same', async () => {
    const { queue, redis } = await fixture('prefix', ['ab', 'a']);
    const sut = new QueueInspector(redis, queue);

    assert.equal(await sut.positionOf('a'), 2);
  });

  it('finds positions beyond one scan chunk', async () => {
    const ids = Array.from({ length: 1_200 }, (_, i) => `m${i}`);
    const { queue, redis } = await fixture('long', []);
    const serializer = new JsonQueueSerializer();
    await redis.lpush(
      queue,
      ...ids.map((id) => serializer.serialize({ id, pattern: 'job', data: null, enqueuedAt: 0 })),
    );
    const sut = new QueueInspector(redis, queue);

    assert.equal(await sut.positionOf('m1100'), 1_101);
  });

  it('finds positions with a custom deserializer too', async () => {
    const { queue, redis } = await fixture('custom', ['x', 'y']);
    const json = new JsonQueueSerializer();
    const deserializer: QueueDeserializer = { deserialize: (raw) => json.deserialize(raw) };
    const sut = new QueueInspector(redis, queue, deserializer);

    assert.equal(await sut.positionOf('y'), 2);
    assert.equal(await sut.positionOf('z'), null);
  });

  it('reports in-flight messages per consumer and the dead-letter size', async () => {
    const { queue, redis, keys } = await fixture('inflight', []);
    await redis
      .multi()
      .sadd(keys.consumers, 'c1', 'c2')
      .lpush(keys.processing('c1'), 'x', 'y')
      .lpush(keys.dead, 'z')
      .set(keys.heartbeat('c1'), '1', 'PX', 10_000)
      .exec();
    const sut = new QueueInspector(redis, queue);

    assert.deepEqual(await sut.inFlight(), { c1: 2, c2: 0 });
    assert.deepEqual(await sut.liveConsumers(), ['c1']);
    assert.equal(await sut.deadLetterSize(), 1);
  });

  it('finds the ids waiting and held in processing lists, skipping what it cannot read', async () => {
    const { queue, redis, keys } = await fixture('pending', ['w1', 'w2']);
    const held = new JsonQueueSerializer().serialize({
      id: 'held',
      pattern: 'job',
      data: null,
      enqueuedAt: 0,
    });
    await redis
      .multi()
      .sadd(keys.consumers, 'c1', 'c2')
      .lpush(keys.processing('c1'), held)
      .lpush(keys.processing('c2'), 'not json')
      .lpush(
        keys.processing('unregistered'),
        new JsonQueueSerializer().serialize({
          id: 'stray',
          pattern: 'job',
          data: null,
          enqueuedAt: 0,
        }),
      )
      .lpush(queue, '{"id":"no-envelope"}')
      .exec();
    const sut = new QueueInspector(redis, queue);

    assert.deepEqual([...(await sut.pendingIds())].sort(), ['held', 'w1', 'w2']);
  });

  it('pairs with QueueProducer: each push answers the place positionOf reports', async () => {
    const { queue, redis } = await fixture('producer', ['before']);
    const producer = new QueueProducer(redis, queue);
    const sut = new QueueInspector(redis, queue);

    const places = await Promise.all(
      ['p1', 'p2', 'p3'].map((id) => producer.emit('job', { id }, id)),
    );

    assert.deepEqual(places, [2, 3, 4]);
    for (const [i, id] of ['p1', 'p2', 'p3'].entries())
      assert.equal(await sut.positionOf(id), places[i]);
  });

  it('gives the age of the oldest waiting message, or null when the queue is empty', async () => {
    const { queue, redis } = await fixture('age', []);
    const sut = new QueueInspector(redis, queue);
    assert.equal(await sut.oldestAgeMs(), null);

    await redis.lpush(
      queue,
      new JsonQueueSerializer().serialize({
        id: 'old',
        pattern: 'job',
        data: null,
        enqueuedAt: Date.now() - 5_000,
      }),
    );

    const age = await sut.oldestAgeMs();
    assert.ok(age !== null && age >= 5_000, `age ${age}`);
  });

  it('opens and closes its own connection when given a URL', async () => {
    const { queue } = await fixture('url', ['a']);
    const sut = new QueueInspector(redisUrl(), queue);

    assert.equal(await sut.length(), 1);
    await sut.close();
  });
});
