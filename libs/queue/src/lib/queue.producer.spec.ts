import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeRedis } from '../test/fake-redis';
import { JsonQueueSerializer } from './json.serializer';
import type { QueueEnvelope, QueueSerializer } from './queue-message';
import { QueueProducer } from './queue.producer';
import { InMemoryListStore, InMemoryQueue } from './redis-list.store.mock';

describe(QueueProducer.name, () => {
  it('answers each message its 1-based place with a single LPUSH and nothing else', async () => {
    const broker = new InMemoryQueue();
    const { redis, calls } = fakeRedis(broker, '{grading}:queue');
    const sut = new QueueProducer(redis, '{grading}:queue');

    assert.equal(await sut.emit('grade', { n: 1 }, 'a'), 1);
    assert.equal(await sut.emit('grade', { n: 2 }, 'b'), 2);

    assert.deepEqual(calls, ['LPUSH {grading}:queue', 'LPUSH {grading}:queue']);
  });

  it('writes the envelope a consumer reads back: the given id, pattern, data and enqueue time', async () => {
    const broker = new InMemoryQueue();
    const { redis } = fakeRedis(broker, 'unit');
    const before = Date.now();
    await new QueueProducer(redis, 'unit').emit('grade', { submissionId: 's1' }, 's1');

    const [taken] = await new InMemoryListStore(broker, 'c1').take(1);
    const envelope = new JsonQueueSerializer().deserialize(taken!.raw);
    assert.deepEqual(
      { ...envelope, enqueuedAt: 0 },
      { id: 's1', pattern: 'grade', data: { submissionId: 's1' }, enqueuedAt: 0 },
    );
    assert.ok(envelope.enqueuedAt >= before && envelope.enqueuedAt <= Date.now());
    assert.ok(
      taken!.raw.startsWith(JsonQueueSerializer.idPrefix('s1')),
      'the id leads, for positionOf',
    );
  });

  it('uses the serializer it is given', async () => {
    const broker = new InMemoryQueue();
    const { redis } = fakeRedis(broker, 'unit');
    const seen: QueueEnvelope[] = [];
    const serializer: QueueSerializer = {
      serialize: (envelope) => (seen.push(envelope), `custom:${envelope.id}`),
    };

    await new QueueProducer(redis, 'unit', serializer).emit('grade', null, 'x');

    assert.deepEqual(broker.queue, ['custom:x']);
    assert.equal(seen[0]?.replyTo, undefined);
  });

  it('refuses an empty queue name or message id without touching Redis', async () => {
    const broker = new InMemoryQueue();
    const { redis, calls } = fakeRedis(broker, 'unit');

    assert.throws(() => new QueueProducer(redis, ''), /queue must be a non-empty string/);
    await assert.rejects(new QueueProducer(redis, 'unit').emit('grade', null, ''), /non-empty id/);
    assert.deepEqual(calls, []);
    assert.equal(broker.queue.length, 0);
  });
});
