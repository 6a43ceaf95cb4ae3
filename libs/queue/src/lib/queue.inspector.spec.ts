import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeRedis } from '../test/fake-redis';
import type { QueueDeserializer } from './queue-message';
import { QueueInspector } from './queue.inspector';
import { QueueProducer } from './queue.producer';
import { InMemoryListStore, InMemoryQueue } from './redis-list.store.mock';

describe(`${QueueInspector.name} (in memory)`, () => {
  it('finds the ids waiting and those held in every consumer’s processing list', async () => {
    const broker = new InMemoryQueue();
    const { redis } = fakeRedis(broker, 'unit');
    const producer = new QueueProducer(redis, 'unit');
    for (const id of ['a', 'b', 'c', 'd']) await producer.emit('grade', null, id);
    await new InMemoryListStore(broker, 'c1').take(1);
    await new InMemoryListStore(broker, 'c2').take(2);

    const pending = await new QueueInspector(redis, 'unit').pendingIds();

    assert.deepEqual([...pending].sort(), ['a', 'b', 'c', 'd']);
    assert.equal(broker.queue.length, 1, 'three of the four were taken');
  });

  it('leaves out finished messages and elements it cannot read', async () => {
    const broker = new InMemoryQueue();
    const { redis } = fakeRedis(broker, 'unit');
    const producer = new QueueProducer(redis, 'unit');
    await producer.emit('grade', null, 'done');
    await producer.emit('grade', null, 'waiting');
    broker.push('not json');
    broker.push(JSON.stringify({ id: 'no-envelope' }));
    const consumer = new InMemoryListStore(broker, 'c1');
    const [done] = await consumer.take(1);
    await consumer.ack([done!.raw]);

    const pending = await new QueueInspector(redis, 'unit').pendingIds();

    assert.deepEqual([...pending], ['waiting']);
  });

  it('reads elements with the deserializer it is given', async () => {
    const broker = new InMemoryQueue();
    const { redis } = fakeRedis(broker, 'unit');
    broker.push('custom:x');
    broker.push('custom:y');
    const deserializer: QueueDeserializer = {
      deserialize: (raw) => ({
        id: raw.slice('custom:'.length),
        pattern: 'grade',
        data: null,
        enqueuedAt: 0,
      }),
    };

    assert.deepEqual(
      [...(await new QueueInspector(redis, 'unit', deserializer).pendingIds())].sort(),
      ['x', 'y'],
    );
  });

  it('is empty for an empty queue', async () => {
    const { redis } = fakeRedis(new InMemoryQueue(), 'unit');

    assert.equal((await new QueueInspector(redis, 'unit').pendingIds()).size, 0);
  });
});
