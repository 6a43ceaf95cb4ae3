import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import { deferred, sleep, waitFor } from '../test/wait-for';
import type { QueueMessage } from './queue-message';
import { RedisListContext } from './redis-list.context';
import type { RedisListTransportOptions } from './redis-list.options';
import { RedisListServer } from './redis-list.server';
import { JsonQueueSerializer } from './json.serializer';
import { InMemoryListStore, InMemoryQueue } from './redis-list.store.mock';

Logger.overrideLogger(false);

describe(RedisListServer.name, () => {
  const servers: RedisListServer[] = [];

  function start(broker: InMemoryQueue, options: Partial<RedisListTransportOptions> = {}) {
    const sut = new RedisListServer(
      { redisUrl: 'redis://unused', queue: 'unit', heartbeatTtlMs: 60_000, ...options },
      new InMemoryListStore(broker, options.consumerId),
    );
    servers.push(sut);
    return sut;
  }

  function listen(sut: RedisListServer): Promise<void> {
    return new Promise((resolve, reject) => {
      sut.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
    });
  }

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('hands an event to its handler with a context naming queue, consumer, id and attempt', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1' });
    const seen: { data: unknown; ctx: RedisListContext }[] = [];
    sut.addHandler(
      'grade',
      async (data: unknown, ctx: RedisListContext) => void seen.push({ data, ctx }),
      true,
    );
    await listen(sut);

    const id = broker.emit('grade', { submissionId: 's1' });

    await waitFor(() => seen.length === 1);
    const [{ data, ctx }] = seen;
    assert.deepEqual(data, { submissionId: 's1' });
    assert.equal(ctx.getQueue(), 'unit');
    assert.equal(ctx.getConsumerId(), 'c1');
    assert.equal(ctx.getMessageId(), id);
    assert.equal(ctx.getAttempt(), 1);
    assert.equal(ctx.getMessage().pattern, 'grade');
  });

  it('returns an element that sits in its own processing list with no handler on it (a lost take reply)', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1', heartbeatTtlMs: 300 });
    const seen: unknown[] = [];
    sut.addHandler('job', async (data: unknown) => void seen.push(data), true);
    await listen(sut);

    // What a blocking take leaves when the server moved the element but its reply never came.
    const raw = new JsonQueueSerializer().serialize({
      id: 'lost',
      pattern: 'job',
      data: 7,
      enqueuedAt: Date.now(),
    });
    broker.processingOf('c1').push(raw);

    await waitFor(() => seen.length === 1, 5_000);
    assert.deepEqual(seen, [7]);
    await waitFor(() => broker.processingOf('c1').length === 0);
  });

  it('leaves alone what its handlers hold, however long they take', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1', heartbeatTtlMs: 300 });
    const gate = deferred();
    let calls = 0;
    sut.addHandler('job', () => (calls++, gate.promise), true);
    await listen(sut);

    broker.emit('job', 1);
    await waitFor(() => sut.activeCount === 1);
    await sleep(1_000); // ten heartbeats
    assert.equal(calls, 1);
    assert.equal(broker.processingOf('c1').length, 1);
    assert.equal(broker.queue.length, 0);
    gate.resolve();
    await waitFor(() => broker.processingOf('c1').length === 0);
  });

  it('keeps the message in its processing list until the handler promise settles, then acks', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1' });
    const gate = deferred();
    sut.addHandler('job', () => gate.promise, true);
    await listen(sut);

    broker.emit('job', 1);
    await waitFor(() => sut.activeCount === 1);
    await sleep(20);
    assert.equal(broker.processingOf('c1').length, 1);

    gate.resolve();
    await waitFor(() => broker.processingOf('c1').length === 0);
    assert.equal(broker.queue.length, 0);
    assert.equal(broker.attempts.size, 0);
  });

  it('acks an observable result only after the observable completes', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1' });
    let complete!: () => void;
    sut.addHandler(
      'job',
      async () =>
        new Observable<number>((subscriber) => {
          subscriber.next(1);
          complete = () => subscriber.complete();
        }),
      true,
    );
    await listen(sut);

    broker.emit('job', 1);
    await waitFor(() => complete !== undefined);
    await sleep(20);
    assert.equal(broker.processingOf('c1').length, 1);

    complete();
    await waitFor(() => broker.processingOf('c1').length === 0);
  });

  it('re-queues a failing message with a higher attempt, then dead-letters it at maxAttempts and reports it', async () => {
    const broker = new InMemoryQueue();
    const deadLettered: QueueMessage[] = [];
    const sut = start(broker, {
      maxAttempts: 3,
      onDeadLetter: (message) => void deadLettered.push(message),
    });
    const attempts: number[] = [];
    sut.addHandler(
      'job',
      async (_data: unknown, ctx: RedisListContext) => {
        attempts.push(ctx.getAttempt());
        throw new Error('boom');
      },
      true,
    );
    await listen(sut);

    const id = broker.emit('job', 1);

    await waitFor(() => broker.dead.length === 1);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(deadLettered.length, 1);
    assert.equal(deadLettered[0].id, id);
    assert.equal(deadLettered[0].attempt, 3);
    assert.equal(broker.queue.length, 0);
    assert.equal(broker.attempts.size, 0);
  });

  it('dead-letters without running the handler a message already delivered maxAttempts times (its consumers died)', async () => {
    const broker = new InMemoryQueue();
    const deadLettered: QueueMessage[] = [];
    const sut = start(broker, {
      maxAttempts: 2,
      onDeadLetter: (message) => void deadLettered.push(message),
    });
    let runs = 0;
    sut.addHandler('job', async () => void runs++, true);
    broker.emit('job', 1);
    broker.attempts.set(broker.queue[0], 2);
    await listen(sut);

    await waitFor(() => broker.dead.length === 1);
    assert.equal(runs, 0);
    assert.equal(deadLettered[0].attempt, 3);
  });

  it('runs at most `concurrency` handlers at once', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { concurrency: 3 });
    let running = 0;
    let peak = 0;
    let done = 0;
    sut.addHandler(
      'job',
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
        done++;
      },
      true,
    );
    for (let i = 0; i < 20; i++) broker.emit('job', i);
    await listen(sut);

    await waitFor(() => done === 20);
    assert.equal(peak, 3);
  });

  it('dead-letters an element that cannot be deserialized', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker);
    await listen(sut);

    broker.push('not json');

    await waitFor(() => broker.dead.length === 1);
    assert.equal(broker.dead[0], 'not json');
  });

  it('treats a pattern without a handler as a failure, so it ends dead-lettered rather than lost', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { maxAttempts: 2 });
    await listen(sut);

    broker.emit('unknown', 1);

    await waitFor(() => broker.dead.length === 1);
  });

  it('close() lets a running handler finish and ack within the shutdown timeout', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1', shutdownTimeoutMs: 5_000 });
    const gate = deferred();
    let finished = 0;
    sut.addHandler(
      'job',
      async () => {
        await gate.promise;
        finished++;
      },
      true,
    );
    await listen(sut);
    broker.emit('job', 1);
    await waitFor(() => sut.activeCount === 1);

    const closing = sut.close();
    setTimeout(() => gate.resolve(), 30);
    await closing;

    assert.equal(finished, 1);
    assert.equal(broker.processingOf('c1').length, 0);
    assert.equal(broker.queue.length, 0);
  });

  it('close() hands an unfinished message back to the head of the queue without spending an attempt', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker, { consumerId: 'c1', shutdownTimeoutMs: 30 });
    sut.addHandler('job', () => new Promise(() => undefined), true);
    await listen(sut);
    broker.emit('job', 'first');
    broker.emit('job', 'second');
    await waitFor(() => sut.activeCount === 1);

    await sut.close();

    assert.equal(broker.processingOf('c1').length, 0);
    assert.equal(broker.queue.length, 2);
    assert.match(broker.queue[1], /"first"/);
    assert.equal(broker.attempts.size, 0);
  });

  it('delivers nothing after close()', async () => {
    const broker = new InMemoryQueue();
    const sut = start(broker);
    let calls = 0;
    sut.addHandler('job', async () => void calls++, true);
    await listen(sut);
    await sut.close();

    broker.emit('job', 1);
    await sleep(50);

    assert.equal(calls, 0);
    assert.equal(broker.queue.length, 1);
  });

  it('reports a failed connection through the listen callback', async () => {
    const store = new InMemoryListStore(new InMemoryQueue());
    store.connect = async () => {
      throw new Error('ECONNREFUSED');
    };
    const sut = new RedisListServer({ redisUrl: 'redis://unused', queue: 'unit' }, store);

    const error = await new Promise((resolve, reject) => {
      sut.listen(resolve).catch(reject);
    });

    assert.match(String((error as Error).message), /ECONNREFUSED/);
  });

  it('rejects impossible options, naming every problem at once', () => {
    assert.throws(
      () =>
        new RedisListServer({
          redisUrl: 'redis://x',
          queue: '',
          concurrency: 0,
          maxAttempts: -1,
          heartbeatTtlMs: 100,
          heartbeatIntervalMs: 200,
        }),
      (error: Error) =>
        /queue/.test(error.message) &&
        /concurrency/.test(error.message) &&
        /maxAttempts/.test(error.message) &&
        /heartbeatIntervalMs/.test(error.message),
    );
  });
});
