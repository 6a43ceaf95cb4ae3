import { JsonQueueSerializer } from './json.serializer';
import type { QueueDeserializer } from './queue-message';
import {
  closeRedis,
  createRedis,
  scriptRunner,
  type RedisClient,
  type ScriptRunner,
} from './redis-connection';
import { POSITION_OF } from './redis-list.scripts';
import { queueKeys, type QueueKeys } from './redis-list.options';

const SCAN_CHUNK = 500;

/**
 * Read-only views of a queue for the UI and metrics. Pass a custom deserializer when the
 * producers use a custom serializer; the default JSON format is searched inside Redis.
 */
export class QueueInspector {
  private readonly redis: RedisClient;
  private readonly ownsConnection: boolean;
  private readonly keys: QueueKeys;
  private readonly run: ScriptRunner;

  constructor(
    redis: RedisClient | string,
    queue: string,
    private readonly deserializer?: QueueDeserializer,
  ) {
    this.ownsConnection = typeof redis === 'string';
    // An owned connection fails fast during an outage: a status page should not hang on it.
    this.redis =
      typeof redis === 'string'
        ? createRedis(redis, { enableAutoPipelining: true, maxRetriesPerRequest: 2 })
        : redis;
    this.keys = queueKeys(queue);
    this.run = scriptRunner(this.ensureScripts(this.redis));
  }

  /** Messages waiting (not yet taken). */
  length(): Promise<number> {
    return this.redis.llen(this.keys.queue);
  }

  /** 1-based place of a waiting message, counted from the one taken next; null when not waiting. */
  async positionOf(messageId: string): Promise<number | null> {
    if (!this.deserializer) {
      const found = Number(
        await this.run(
          'positionOf',
          [this.keys.queue],
          [JsonQueueSerializer.idPrefix(messageId), SCAN_CHUNK],
        ),
      );
      return found > 0 ? found : null;
    }
    const length = await this.length();
    for (let from = 1; from <= length; from += SCAN_CHUNK) {
      const to = Math.min(from + SCAN_CHUNK - 1, length);
      const items = await this.redis.lrange(this.keys.queue, -to, -from);
      for (let i = items.length - 1; i >= 0; i--) {
        try {
          if (this.deserializer.deserialize(items[i]).id === messageId)
            return from + (items.length - 1 - i);
        } catch {
          // a malformed element has no id to match
        }
      }
    }
    return null;
  }

  /** Messages being handled, per registered consumer (live or not yet reaped). */
  async inFlight(): Promise<Record<string, number>> {
    const consumers = (await this.redis.smembers(this.keys.consumers)).sort();
    const lengths = await Promise.all(
      consumers.map((id) => this.redis.llen(this.keys.processing(id))),
    );
    return Object.fromEntries(consumers.map((id, i) => [id, lengths[i]]));
  }

  /**
   * Ids of every message waiting or held in a registered consumer's processing list, read with
   * the inspector's deserializer (the JSON format by default). Elements it cannot read name no
   * message and are left out. Each list is read whole: meant for periodic checks, not requests.
   */
  async pendingIds(): Promise<Set<string>> {
    const consumers = await this.redis.smembers(this.keys.consumers);
    const lists = await Promise.all([
      this.redis.lrange(this.keys.queue, 0, -1),
      ...consumers.map((id) => this.redis.lrange(this.keys.processing(id), 0, -1)),
    ]);
    const deserializer = this.deserializer ?? new JsonQueueSerializer();
    const ids = new Set<string>();
    for (const raw of lists.flat()) {
      try {
        ids.add(deserializer.deserialize(raw).id);
      } catch {
        // a malformed element names no message
      }
    }
    return ids;
  }

  /** Consumers whose lease is currently held. */
  async liveConsumers(): Promise<string[]> {
    const consumers = (await this.redis.smembers(this.keys.consumers)).sort();
    const alive = await Promise.all(
      consumers.map((id) => this.redis.exists(this.keys.heartbeat(id))),
    );
    return consumers.filter((_, i) => alive[i] === 1);
  }

  deadLetterSize(): Promise<number> {
    return this.redis.llen(this.keys.dead);
  }

  /** Age of the message taken next, null when the queue is empty or its head is unreadable. */
  async oldestAgeMs(): Promise<number | null> {
    const head = await this.redis.lindex(this.keys.queue, -1);
    if (head === null) return null;
    try {
      const envelope = (this.deserializer ?? new JsonQueueSerializer()).deserialize(head);
      return Math.max(0, Date.now() - envelope.enqueuedAt);
    } catch {
      return null;
    }
  }

  /** Closes the connection only when the inspector opened it. */
  async close(): Promise<void> {
    if (this.ownsConnection) await closeRedis(this.redis);
  }

  private ensureScripts(redis: RedisClient): RedisClient {
    if (!this.ownsConnection && !('positionOf' in redis)) {
      redis.defineCommand('positionOf', {
        numberOfKeys: POSITION_OF.numberOfKeys,
        lua: POSITION_OF.lua,
      });
    }
    return redis;
  }
}
