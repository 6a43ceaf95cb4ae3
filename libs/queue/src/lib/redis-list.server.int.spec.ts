import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Controller, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { GRADE_SUBMISSION, type GradeSubmissionJob } from '@koodi/contracts';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { dropQueueKeys, redisUrl, uniqueQueue } from '../test/redis';
import { deferred, sleep, waitFor } from '../test/wait-for';
import { JsonQueueSerializer } from './json.serializer';
import type { QueueMessage } from './queue-message';
import { QueueInspector } from './queue.inspector';
import { RedisListClient } from './redis-list.client';
import { RedisListContext } from './redis-list.context';
import { queueKeys, type RedisListTransportOptions } from './redis-list.options';
import { RedisListServer } from './redis-list.server';

Logger.overrideLogger(false);

describe(`${RedisListServer.name} against Redis`, () => {
  const cleanups: (() => Promise<unknown>)[] = [];

  function server(
    queue: string,
    options: Partial<RedisListTransportOptions> = {},
  ): RedisListServer {
    const sut = new RedisListServer({
      redisUrl: redisUrl(),
      queue,
      blockTimeoutSeconds: 0.2,
      ...options,
    });
    cleanups.push(() => sut.close());
    return sut;
  }

  function client(queue: string, options: { sendTimeoutMs?: number } = {}): RedisListClient {
    const sut = new RedisListClient({
      redisUrl: redisUrl(),
      queue,
      messageIdOf: (_pattern, data) => (data as Partial<GradeSubmissionJob>).submissionId,
      ...options,
    });
    cleanups.push(() => sut.close());
    return sut;
  }

  function redis(): Redis {
    const connection = new Redis(redisUrl());
    cleanups.push(() => connection.quit());
    return connection;
  }

  function queueName(label: string): string {
    const queue = uniqueQueue(label);
    cleanups.push(() => dropQueueKeys(redisUrl(), queue));
    return queue;
  }

  function listen(sut: RedisListServer): Promise<void> {
    return new Promise((resolve, reject) => {
      sut.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
    });
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('delivers an emitted event with the producer-chosen message id and attempt 1', async () => {
    const queue = queueName('deliver');
    const sut = server(queue, { consumerId: 'worker-a' });
    const seen: QueueMessage[] = [];
    sut.addHandler(
      GRADE_SUBMISSION,
      async (_data: unknown, ctx: RedisListContext) => void seen.push(ctx.getMessage()),
      true,
    );
    await listen(sut);

    await lastValueFrom(client(queue).emit(GRADE_SUBMISSION, { submissionId: 'sub-1' }), {
      defaultValue: undefined,
    });

    await waitFor(() => seen.length === 1);
    assert.equal(seen[0].id, 'sub-1');
    assert.equal(seen[0].attempt, 1);
    assert.deepEqual(seen[0].data, { submissionId: 'sub-1' });
  });

  it('keeps the message in the processing list while the handler runs and removes it only after success', async () => {
    const queue = queueName('ack');
    const keys = queueKeys(queue);
    const sut = server(queue, { consumerId: 'worker-a' });
    const gate = deferred();
    const started = deferred();
    sut.addHandler(
      'job',
      async () => {
        started.resolve();
        await gate.promise;
      },
      true,
    );
    await listen(sut);
    const inspector = new QueueInspector(redis(), queue);

    await client(queue).enqueue('job', { n: 1 });
    await started.promise;

    assert.deepEqual(await inspector.inFlight(), { 'worker-a': 1 });
    assert.equal(await inspector.length(), 0);
    gate.resolve();
    await waitFor(async () => (await inspector.inFlight())['worker-a'] === 0, 5_000, 'the ack');
    assert.equal(await redis().hlen(keys.attempts), 0);
  });

  it('retries a throwing handler up to maxAttempts, then dead-letters the message and calls onDeadLetter', async () => {
    const queue = queueName('dead');
    const deadLettered: QueueMessage[] = [];
    const sut = server(queue, {
      maxAttempts: 3,
      onDeadLetter: (message) => void deadLettered.push(message),
    });
    const attempts: number[] = [];
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => {
        attempts.push(ctx.getAttempt());
        throw new Error('handler failure');
      },
      true,
    );
    await listen(sut);
    const inspector = new QueueInspector(redis(), queue);

    const id = await client(queue).enqueue('job', { n: 1 });

    await waitFor(async () => (await inspector.deadLetterSize()) === 1, 5_000, 'the dead letter');
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(
      deadLettered.map((m) => [m.id, m.attempt]),
      [[id, 3]],
    );
    assert.equal(await inspector.length(), 0);
    const [element] = await redis().lrange(queueKeys(queue).dead, 0, -1);
    assert.equal(new JsonQueueSerializer().deserialize(element).id, id);
  });

  it('returns the messages of a consumer whose heartbeat expired, counting the lost delivery as an attempt', async () => {
    const queue = queueName('reap');
    const keys = queueKeys(queue);
    const raw = new JsonQueueSerializer().serialize({
      id: 'orphan',
      pattern: 'job',
      data: 1,
      enqueuedAt: Date.now(),
    });
    const r = redis();
    // A consumer that took the message (attempt 1) and died: registered, processing list, no heartbeat.
    await r
      .multi()
      .sadd(keys.consumers, 'ghost')
      .lpush(keys.processing('ghost'), raw)
      .hset(keys.attempts, raw, 1)
      .exec();
    const sut = server(queue, { heartbeatTtlMs: 600, reaperIntervalMs: 100 });
    const seen: number[] = [];
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => void seen.push(ctx.getAttempt()),
      true,
    );
    await listen(sut);

    await waitFor(() => seen.length === 1, 5_000, 'the re-delivery');
    assert.deepEqual(seen, [2]);
    assert.equal(await r.exists(keys.processing('ghost')), 0);
    assert.equal(await r.sismember(keys.consumers, 'ghost'), 0);
  });

  it('at start-up returns what an earlier process with the same consumer id left behind (a restarted container)', async () => {
    const queue = queueName('restarted');
    const keys = queueKeys(queue);
    const raw = new JsonQueueSerializer().serialize({
      id: 'left-behind',
      pattern: 'job',
      data: 1,
      enqueuedAt: Date.now(),
    });
    const r = redis();
    await r
      .multi()
      .sadd(keys.consumers, 'grader-1')
      .lpush(keys.processing('grader-1'), raw)
      .hset(keys.attempts, raw, 1)
      .exec();
    const sut = server(queue, { consumerId: 'grader-1' });
    const seen: number[] = [];
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => void seen.push(ctx.getAttempt()),
      true,
    );

    await listen(sut);

    await waitFor(() => seen.length === 1, 5_000, 'the recovered message');
    assert.deepEqual(seen, [2]);
  });

  it('does not re-run a long handler whose consumer keeps its heartbeat past the lease', async () => {
    const queue = queueName('lease');
    const lease = { heartbeatTtlMs: 300, heartbeatIntervalMs: 80, reaperIntervalMs: 50 };
    const runs: string[] = [];
    const slow = server(queue, { ...lease, consumerId: 'slow' });
    slow.addHandler(
      'job',
      async () => {
        runs.push('slow');
        await sleep(1_500);
      },
      true,
    );
    await listen(slow);
    await client(queue).enqueue('job', 1);
    await waitFor(() => runs.length === 1);
    const other = server(queue, { ...lease, consumerId: 'other' });
    other.addHandler('job', async () => void runs.push('other'), true);
    await listen(other);
    const inspector = new QueueInspector(redis(), queue);

    await waitFor(
      async () => (await inspector.inFlight())['slow'] === 0,
      5_000,
      'the slow handler to finish',
    );

    assert.deepEqual(runs, ['slow']);
    assert.equal(await inspector.length(), 0);
  });

  it('delivers nothing after close(), leaving later messages on the queue', async () => {
    const queue = queueName('closed');
    const sut = server(queue);
    let calls = 0;
    sut.addHandler('job', async () => void calls++, true);
    await listen(sut);
    await sut.close();

    await client(queue).enqueue('job', 1);
    await sleep(500);

    assert.equal(calls, 0);
    assert.equal(await new QueueInspector(redis(), queue).length(), 1);
  });

  it('close() hands a message whose handler outlives shutdownTimeoutMs back to the queue without spending an attempt', async () => {
    const queue = queueName('handback');
    const keys = queueKeys(queue);
    const sut = server(queue, { consumerId: 'leaving', shutdownTimeoutMs: 100 });
    const started = deferred();
    sut.addHandler(
      'job',
      () => {
        started.resolve();
        return new Promise(() => undefined);
      },
      true,
    );
    await listen(sut);
    const id = await client(queue).enqueue('job', 1);
    await started.promise;

    await sut.close();

    const r = redis();
    assert.equal(await r.llen(keys.processing('leaving')), 0);
    const [element] = await r.lrange(queue, 0, -1);
    assert.equal(new JsonQueueSerializer().deserialize(element).id, id);
    assert.equal(await r.hlen(keys.attempts), 0);
    assert.equal(await r.exists(keys.heartbeat('leaving')), 0);
  });

  it('answers send() through the reply list, and passes a handler error back to the caller', async () => {
    const queue = queueName('rpc');
    const sut = server(queue);
    sut.addHandler('sum', async (data: number[]) => data.reduce((a, b) => a + b, 0));
    sut.addHandler('fail', async () => {
      throw new Error('no such thing');
    });
    await listen(sut);
    const producer = client(queue);

    assert.equal(await lastValueFrom(producer.send<number>('sum', [1, 2, 3])), 6);
    await assert.rejects(
      lastValueFrom(producer.send('fail', {})),
      (error: { message: string }) => error.message === 'no such thing',
    );
  });

  it('fails send() after sendTimeoutMs when no server answers', async () => {
    const queue = queueName('rpc-timeout');

    await assert.rejects(
      lastValueFrom(client(queue, { sendTimeoutMs: 200 }).send('sum', [1])),
      /No response/,
    );
  });

  it('reports an unreachable Redis through the listen callback', async () => {
    const sut = new RedisListServer({
      redisUrl: 'redis://127.0.0.1:1',
      queue: uniqueQueue('unreachable'),
    });

    const error = await new Promise((resolve, reject) => {
      sut.listen(resolve).catch(reject);
    });

    assert.ok(error instanceof Error);
  });

  it('runs as a NestJS microservice: @EventPattern handlers get (data, RedisListContext), and a thrown error is retried', async () => {
    const queue = queueName('nest');
    const received: [GradeSubmissionJob, number, string][] = [];

    @Controller()
    class GradingController {
      @EventPattern(GRADE_SUBMISSION)
      async grade(@Payload() job: GradeSubmissionJob, @Ctx() ctx: RedisListContext): Promise<void> {
        received.push([job, ctx.getAttempt(), ctx.getMessageId()]);
        if (ctx.getAttempt() === 1) throw new Error('transient');
      }

      @MessagePattern('ping')
      ping(): string {
        return 'pong';
      }
    }

    @Module({ controllers: [GradingController] })
    class GradingModule {}

    const app = await NestFactory.createMicroservice(GradingModule, {
      strategy: new RedisListServer({ redisUrl: redisUrl(), queue, blockTimeoutSeconds: 0.2 }),
      logger: false,
    });
    cleanups.push(() => app.close());
    await app.listen();
    const producer = client(queue);

    await producer.enqueue(GRADE_SUBMISSION, { submissionId: 'sub-9' });

    await waitFor(() => received.length === 2, 5_000, 'the retry');
    assert.deepEqual(received, [
      [{ submissionId: 'sub-9' }, 1, 'sub-9'],
      [{ submissionId: 'sub-9' }, 2, 'sub-9'],
    ]);
    assert.equal(await lastValueFrom(producer.send('ping', {})), 'pong');
  });
});
