import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { LocalRedisCluster } from '../testing/local-redis-cluster';
import { deferred, waitFor } from '../test/wait-for';
import { checkEvictionPolicy } from './eviction-policy';
import { JsonQueueSerializer } from './json.serializer';
import { QueueInspector } from './queue.inspector';
import { QueueProducer } from './queue.producer';
import { closeRedis, createRedis, hashTagOf, type RedisClient } from './redis-connection';
import { RedisListClient } from './redis-list.client';
import { RedisListContext } from './redis-list.context';
import {
  queueKeys,
  resolveServerOptions,
  type RedisListTransportOptions,
} from './redis-list.options';
import { RedisListServer } from './redis-list.server';

Logger.overrideLogger(false);

/** The queue on a real three-primary Redis Cluster: every script and BLMOVE stays on one slot. */
describe(`${RedisListServer.name} on a Redis Cluster`, () => {
  let cluster: LocalRedisCluster;
  let redis: RedisClient;
  const closers: (() => Promise<unknown>)[] = [];
  let n = 0;

  before(async () => {
    cluster = await LocalRedisCluster.start(3);
    redis = createRedis(cluster.url);
    await redis.connect();
  });

  after(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await closeRedis(redis);
    await cluster.destroy();
  });

  function queueName(): string {
    return `{cluster-test-${++n}}:queue`;
  }

  function server(
    queue: string,
    options: Partial<RedisListTransportOptions> = {},
  ): RedisListServer {
    const sut = new RedisListServer({
      redisUrl: cluster.url,
      queue,
      blockTimeoutSeconds: 0.2,
      ...options,
    });
    closers.push(() => sut.close());
    return sut;
  }

  function listen(sut: RedisListServer): Promise<void> {
    return new Promise((resolve, reject) => {
      sut.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
    });
  }

  it('is a cluster of three primaries, and test queues land on different ones', async () => {
    assert.ok(redis instanceof Cluster);
    assert.equal(redis.nodes('master').length, 3);
    const slots = new Set<number>();
    for (let i = 0; i < 12; i++)
      slots.add(Number(await redis.call('CLUSTER', 'KEYSLOT', `{cluster-test-${i}}:queue`)));
    assert.ok(slots.size > 1);
  });

  it('enqueues, consumes and acks; the processing list and counters are gone afterwards', async () => {
    const queue = queueName();
    const keys = queueKeys(queue);
    const seen: string[] = [];
    const sut = server(queue, { consumerId: 'worker-a', concurrency: 2 });
    sut.addHandler('job', async (data: { n: number }) => void seen.push(`job-${data.n}`), true);
    await listen(sut);
    const client = new RedisListClient({ redisUrl: cluster.url, queue });
    closers.push(() => client.close());

    for (let i = 0; i < 20; i++) await client.enqueue('job', { n: i });

    await waitFor(() => seen.length === 20, 10_000, 'twenty deliveries');
    await waitFor(
      async () => (await redis.llen(keys.processing('worker-a'))) === 0,
      5_000,
      'the acks',
    );
    assert.equal(await redis.llen(queue), 0);
    assert.equal(await redis.hlen(keys.attempts), 0);
    assert.equal(new Set(seen).size, 20);
  });

  it('returns the jobs of a consumer whose lease expired to another consumer', async () => {
    const queue = queueName();
    const keys = queueKeys(queue);
    const raw = new JsonQueueSerializer().serialize({
      id: 'orphan',
      pattern: 'job',
      data: 1,
      enqueuedAt: Date.now(),
    });
    await redis
      .multi()
      .sadd(keys.consumers, 'ghost')
      .lpush(keys.processing('ghost'), raw)
      .hset(keys.attempts, raw, 1)
      .exec();
    const seen: number[] = [];
    const sut = server(queue, { heartbeatTtlMs: 600, reaperIntervalMs: 100 });
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => void seen.push(ctx.getAttempt()),
      true,
    );
    await listen(sut);

    await waitFor(() => seen.length === 1, 10_000, 'the re-delivery');
    assert.deepEqual(seen, [2]);
    assert.equal(await redis.sismember(keys.consumers, 'ghost'), 0);
  });

  it('finds a waiting job by id through the inspector script', async () => {
    const queue = queueName();
    const client = new RedisListClient({
      redisUrl: cluster.url,
      queue,
      messageIdOf: (_p, data) => (data as { id: string }).id,
    });
    closers.push(() => client.close());
    await client.enqueue('job', { id: 'first' });
    await client.enqueue('job', { id: 'second' });
    const inspector = new QueueInspector(cluster.url, queue);
    closers.push(() => inspector.close());

    assert.equal(await inspector.length(), 2);
    assert.equal(await inspector.positionOf('second'), 2);
  });

  it('pushes on a shared cluster connection with its place, and finds waiting and taken ids', async () => {
    const queue = queueName();
    const producer = new QueueProducer(redis, queue);
    const inspector = new QueueInspector(redis, queue);
    const taken: string[] = [];
    const sut = server(queue, { consumerId: 'holder', concurrency: 1 });
    const release = deferred();
    closers.push(async () => release.resolve());
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => {
        taken.push(ctx.getMessageId());
        await release.promise;
      },
      true,
    );

    assert.equal(await producer.emit('job', null, 'one'), 1);
    assert.equal(await producer.emit('job', null, 'two'), 2);
    await listen(sut);
    await waitFor(() => taken.length === 1, 10_000, 'the first job held');

    assert.deepEqual(taken, ['one']);
    assert.equal(await inspector.positionOf('two'), 1);
    assert.deepEqual([...(await inspector.pendingIds())].sort(), ['one', 'two']);
    release.resolve();
  });

  it('refuses an untagged queue on a cluster before touching Redis', () => {
    assert.throws(
      () => resolveServerOptions({ redisUrl: cluster.url, queue: 'grading:queue' }),
      /needs a hash tag/,
    );
    assert.throws(
      () => new RedisListClient({ redisUrl: cluster.url, queue: 'grading:queue' }),
      /needs a hash tag/,
    );
    assert.equal(hashTagOf(queueKeys('{grading}:queue').processing('g-1')), 'grading');
  });

  it('reads maxmemory-policy from every primary', async () => {
    const sut = await checkEvictionPolicy(redis, queueName());
    assert.equal(sut.outcome, 'accepted');
    await (redis as Cluster).nodes('master')[1].config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      assert.equal(
        (await checkEvictionPolicy(redis, queueName())).outcome,
        'refused',
        'one evicting primary is enough to refuse',
      );
    } finally {
      await (redis as Cluster).nodes('master')[1].config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('carries pub/sub between connections to different nodes', async () => {
    const subscriber = createRedis(cluster.url);
    closers.push(() => closeRedis(subscriber));
    const got: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => got.push(message));
    await subscriber.connect();
    await subscriber.subscribe('events:cluster-test');

    await redis.publish('events:cluster-test', 'hello');

    await waitFor(() => got.length === 1, 5_000, 'the message');
    assert.deepEqual(got, ['hello']);
  });
});
