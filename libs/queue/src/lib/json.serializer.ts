import type { QueueDeserializer, QueueEnvelope, QueueSerializer } from './queue-message';

/**
 * The default wire format: JSON with `id` as the first key, so `QueueInspector.positionOf`
 * can match an id with a prefix comparison inside Redis instead of decoding every element.
 */
export class JsonQueueSerializer implements QueueSerializer, QueueDeserializer {
  serialize(envelope: QueueEnvelope): string {
    const { id, pattern, data, enqueuedAt, replyTo } = envelope;
    return JSON.stringify(
      replyTo === undefined
        ? { id, pattern, data, enqueuedAt }
        : { id, pattern, data, enqueuedAt, replyTo },
    );
  }

  deserialize(raw: string): QueueEnvelope {
    const value: unknown = JSON.parse(raw);
    if (!isEnvelope(value)) {
      throw new Error('Malformed queue element: expected { id, pattern, data, enqueuedAt }');
    }
    return value;
  }

  /** The prefix every element with this id starts with. */
  static idPrefix(id: string): string {
    return `{"id":${JSON.stringify(id)},`;
  }
}

function isEnvelope(value: unknown): value is QueueEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['id'] === 'string' &&
    typeof v['pattern'] === 'string' &&
    typeof v['enqueuedAt'] === 'number' &&
    (v['replyTo'] === undefined || typeof v['replyTo'] === 'string')
  );
}
