import { JsonQueueSerializer } from './json.serializer';
import type { QueueSerializer } from './queue-message';
import type { RedisClient } from './redis-connection';
import { queueKeys } from './redis-list.options';

/**
 * LPUSHes one serialized envelope and resolves with the length Redis answers, which is the
 * message's 1-based place counted from the one taken next (the queue is taken from the right).
 * The single producer step: `QueueProducer` and `RedisListClient` both push through it.
 */
export function pushEnvelope(
  redis: RedisClient,
  queueKey: string,
  serializer: QueueSerializer,
  envelope: { id: string; pattern: string; data: unknown; replyTo?: string },
): Promise<number> {
  return redis.lpush(queueKey, serializer.serialize({ ...envelope, enqueuedAt: Date.now() }));
}

/**
 * Fire-and-forget producer on a connection the caller owns and shares (typically auto-pipelined):
 * one LPUSH per message and nothing else, so a request pays one round trip for the push and its
 * place. The caller chooses the message id, so it can look the message up later
 * (`QueueInspector.positionOf`, `pendingIds`).
 */
export class QueueProducer {
  private readonly queueKey: string;

  constructor(
    private readonly redis: RedisClient,
    queue: string,
    private readonly serializer: QueueSerializer = new JsonQueueSerializer(),
  ) {
    if (!queue) throw new Error('QueueProducer: queue must be a non-empty string');
    this.queueKey = queueKeys(queue).queue;
  }

  /** Pushes one message; resolves with its 1-based place in the queue right after the push. */
  emit(pattern: string, data: unknown, id: string): Promise<number> {
    if (!id) return Promise.reject(new Error('QueueProducer: a message needs a non-empty id'));
    return pushEnvelope(this.redis, this.queueKey, this.serializer, { id, pattern, data });
  }
}
