import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { dropQueueKeys, redisUrl, uniqueQueue } from '../test/redis';
import { sleep, waitFor } from '../test/wait-for';
import { Worker, type WorkerMessage } from '../test/worker-pool';
import { JsonQueueSerializer } from './json.serializer';
import { QueueInspector } from './queue.inspector';
import { queueKeys } from './redis-list.options';
import { RedisListServer } from './redis-list.server';

describe(`${RedisListServer.name} in consumer processes killed with SIGKILL`, () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  const workers: Worker[] = [];

  async function fixture(label: string) {
    const queue = uniqueQueue(label);
    const redis = new Redis(redisUrl());
    cleanups.push(
      () => dropQueueKeys(redisUrl(), queue),
      () => redis.quit(),
    );
    const doneKey = `${queue}:test:done`;
    const deadKey = `${queue}:test:dead-notified`;
    const base = { REDIS_URL: redisUrl(), QUEUE: queue, DONE_KEY: doneKey, DEAD_KEY: deadKey };
    return { queue, redis, doneKey, deadKey, base, inspector: new QueueInspector(redis, queue) };
  }

  function spawn(...args: ConstructorParameters<typeof Worker>): Worker {
    const worker = new Worker(...args);
    workers.push(worker);
    return worker;
  }

  async function enqueue(
    redis: Redis,
    queue: string,
    pattern: string,
    ids: string[],
  ): Promise<void> {
    const serializer = new JsonQueueSerializer();
    for (let i = 0; i < ids.length; i += 1_000) {
      const chunk = ids
        .slice(i, i + 1_000)
        .map((id) => serializer.serialize({ id, pattern, data: { id }, enqueuedAt: Date.now() }));
      await redis.lpush(queue, ...chunk);
    }
  }

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('re-delivers the message of a consumer killed mid-handler to another consumer after the lease (lost = 0)', async (t) => {
    const { queue, redis, doneKey, base } = await fixture('sigkill');
    const lease = { HEARTBEAT_TTL_MS: '600', REAPER_INTERVAL_MS: '150' };
    const started: WorkerMessage[] = [];
    const victim = spawn(
      'victim',
      { ...base, ...lease, WORK_MS_MIN: '60000' },
      (message) => message.type === 'started' && started.push(message),
    );
    await victim.ready;
    await enqueue(redis, queue, 'job', ['m1']);
    await waitFor(() => started.length === 1, 10_000, 'the victim to start the message');

    await victim.kill();
    assert.equal(
      await redis.llen(queueKeys(queue).processing('victim')),
      1,
      'the killed consumer still holds the message',
    );
    const rescuer = spawn(
      'rescuer',
      { ...base, ...lease },
      (message) => message.type === 'started' && started.push(message),
    );
    await rescuer.ready;

    await waitFor(async () => (await redis.hlen(doneKey)) === 1, 15_000, 'the re-delivery');
    assert.deepEqual(started, [
      { type: 'started', id: 'm1', attempt: 1 },
      { type: 'started', id: 'm1', attempt: 2 },
    ]);
    assert.deepEqual(await redis.hgetall(doneKey), { m1: '1' });
    t.diagnostic('lost = 0, duplicates = 0 (the killed delivery never completed)');
  });

  it('dead-letters a message that kills every consumer that takes it, once the attempts are spent', async () => {
    const { queue, redis, deadKey, base } = await fixture('poison');
    const settings = {
      ...base,
      HEARTBEAT_TTL_MS: '500',
      REAPER_INTERVAL_MS: '100',
      MAX_ATTEMPTS: '2',
    };
    await enqueue(redis, queue, 'poison', ['p1']);

    const deadline = Date.now() + 30_000;
    let generation = 0;
    while ((await redis.llen(queueKeys(queue).dead)) === 0) {
      assert.ok(Date.now() < deadline, 'the poison message was not dead-lettered in time');
      const worker = spawn(`consumer-${generation++}`, settings);
      await Promise.race([
        worker.exited,
        waitFor(async () => (await redis.llen(queueKeys(queue).dead)) === 1, 30_000),
      ]);
      await worker.kill();
    }

    assert.deepEqual(await redis.lrange(deadKey, 0, -1), ['p1']);
    assert.equal(await redis.llen(queue), 0);
    assert.equal(generation, 3, 'two consumers died on it, the third dead-lettered it');
  });

  it('processes 10,000 messages through 4 consumer processes killed at random: nothing lost, duplicates only from kills', async (t) => {
    const { queue, redis, doneKey, base, inspector } = await fixture('soak');
    const total = 10_000;
    const concurrency = 4;
    const settings = {
      ...base,
      CONCURRENCY: String(concurrency),
      HEARTBEAT_TTL_MS: '1000',
      REAPER_INTERVAL_MS: '200',
      MAX_ATTEMPTS: '50',
      WORK_MS_MIN: '0',
      WORK_MS_MAX: '2',
    };
    const ids = Array.from({ length: total }, (_, i) => `s${i}-${randomBytes(2).toString('hex')}`);
    await enqueue(redis, queue, 'job', ids);

    let generation = 0;
    const pool: Worker[] = [];
    for (let i = 0; i < 4; i++) pool.push(spawn(`soak-${generation++}`, settings));
    await Promise.all(pool.map((worker) => worker.ready));

    const finished = async () =>
      (await redis.hlen(doneKey)) === total && (await inspector.length()) === 0;
    const deadline = Date.now() + 55_000;
    let kills = 0;
    while (!(await finished())) {
      assert.ok(
        Date.now() < deadline,
        `not finished in time: ${await redis.hlen(doneKey)} of ${total} done`,
      );
      await sleep(250 + Math.random() * 250);
      if (kills < 12 && (await inspector.length()) > 0) {
        const slot = Math.floor(Math.random() * pool.length);
        await pool[slot].kill();
        kills++;
        pool[slot] = spawn(`soak-${generation++}`, settings);
      }
    }
    await Promise.all(pool.map((worker) => worker.stop()));

    const done = await redis.hgetall(doneKey);
    const lost = ids.filter((id) => !(id in done)).length;
    const duplicates = Object.values(done).reduce((sum, n) => sum + Number(n) - 1, 0);
    t.diagnostic(
      `messages=${total} processes=4 concurrency=${concurrency} kills=${kills} lost=${lost} duplicates=${duplicates}`,
    );
    assert.equal(lost, 0);
    assert.equal(await inspector.deadLetterSize(), 0);
    assert.ok(kills > 0, 'the run ended before any consumer was killed');
    // Only messages in a killed consumer's processing list can run twice.
    assert.ok(
      duplicates <= kills * concurrency,
      `duplicates ${duplicates} exceed kills × concurrency`,
    );
  });
});
