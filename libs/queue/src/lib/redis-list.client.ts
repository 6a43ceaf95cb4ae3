import { randomUUID } from 'node:crypto';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { RedisOptions } from 'ioredis';
import { JsonQueueSerializer } from './json.serializer';
import type { QueueSerializer, ReplyPacket } from './queue-message';
import { pushEnvelope } from './queue.producer';
import {
  closeRedis,
  connectOnce,
  createRedis,
  disconnect,
  type RedisClient,
} from './redis-connection';
import {
  clusterQueueProblem,
  defaultConsumerId,
  queueKeys,
  type QueueKeys,
} from './redis-list.options';

export interface RedisListClientOptions {
  redisUrl: string;
  redis?: RedisOptions;
  queue: string;
  /** The envelope id of an `emit()`; defaults to a random UUID. Lets a producer look its message up later. */
  messageIdOf?: (pattern: string, data: unknown) => string | undefined;
  serializer?: QueueSerializer;
  /** How long `send()` waits for the response before failing. Default 30000. */
  sendTimeoutMs?: number;
  /** Names this client's reply list `${queue}:reply:${clientId}`. Default `${hostname}-${pid}-${random}`. */
  clientId?: string;
}

/**
 * Producer side: `emit()` LPUSHes an envelope onto the queue; `send()` also names a reply list
 * the server answers on, matched by correlation id, with a timeout.
 */
export class RedisListClient extends ClientProxy {
  private readonly keys: QueueKeys;
  private readonly serializerImpl: QueueSerializer;
  private readonly clientId: string;
  private readonly sendTimeoutMs: number;
  private redis: RedisClient | null = null;
  private replies: RedisClient | null = null;
  private connecting: Promise<RedisClient> | null = null;
  private replyLoop: Promise<void> | null = null;
  private closing = false;

  constructor(private readonly options: RedisListClientOptions) {
    super();
    if (!options.queue) throw new Error('RedisListClient: queue must be a non-empty string');
    const clusterProblem = clusterQueueProblem(options.redisUrl, options.queue);
    if (clusterProblem) throw new Error(`RedisListClient: ${clusterProblem}`);
    this.keys = queueKeys(options.queue);
    this.serializerImpl = options.serializer ?? new JsonQueueSerializer();
    this.clientId = options.clientId ?? defaultConsumerId();
    this.sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  }

  connect(): Promise<RedisClient> {
    this.connecting ??= (async () => {
      const redis = createRedis(this.options.redisUrl, {
        enableAutoPipelining: true,
        ...this.options.redis,
      });
      redis.on('error', () => undefined); // reconnection is automatic; failures surface on the commands
      try {
        await connectOnce(redis);
      } catch (error) {
        this.connecting = null;
        throw error;
      }
      this.redis = redis;
      return redis;
    })();
    return this.connecting;
  }

  /** Pushes one message and resolves with its envelope id once Redis has it. */
  async enqueue(pattern: string, data: unknown): Promise<string> {
    const redis = await this.connect();
    const id = this.options.messageIdOf?.(pattern, data) ?? randomUUID();
    await pushEnvelope(redis, this.keys.queue, this.serializerImpl, { id, pattern, data });
    return id;
  }

  async close(): Promise<void> {
    this.closing = true;
    const loop = this.replyLoop;
    if (this.replies) disconnect(this.replies);
    // A BRPOP queued while Redis is unreachable never settles once its connection is dropped.
    if (loop)
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    this.replyLoop = null;
    this.replies = null;
    const redis = this.redis;
    this.redis = null;
    this.connecting = null;
    if (redis) await closeRedis(redis);
    this.closing = false;
  }

  unwrap<T>(): T {
    if (!this.redis) throw new Error('RedisListClient is not connected; call connect() first');
    return this.redis as T;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    return (await this.enqueue(this.normalizePattern(packet.pattern), packet.data)) as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = randomUUID();
    const forget = () => {
      clearTimeout(timer);
      this.routingMap.delete(id);
    };
    const timer = setTimeout(() => {
      if (this.routingMap.has(id)) {
        forget();
        callback({
          err: new Error(`No response to ${id} within ${this.sendTimeoutMs} ms`),
          isDisposed: true,
        });
      }
    }, this.sendTimeoutMs);
    this.routingMap.set(id, (reply: WritePacket) => {
      if (reply.isDisposed) forget();
      callback(reply);
    });
    void this.connect()
      .then((redis) => {
        this.startReplyLoop();
        return pushEnvelope(redis, this.keys.queue, this.serializerImpl, {
          id,
          pattern: this.normalizePattern(packet.pattern),
          data: packet.data,
          replyTo: this.keys.reply(this.clientId),
        });
      })
      .catch((err: unknown) => {
        forget();
        callback({ err, isDisposed: true });
      });
    return forget;
  }

  private startReplyLoop(): void {
    if (this.replyLoop) return;
    const replies = createRedis(this.options.redisUrl, this.options.redis ?? {});
    replies.on('error', () => undefined);
    this.replies = replies;
    const key = this.keys.reply(this.clientId);
    this.replyLoop = (async () => {
      while (!this.closing) {
        try {
          const popped = await replies.brpop(key, 1);
          if (!popped) continue;
          const reply = JSON.parse(popped[1]) as ReplyPacket;
          this.routingMap.get(reply.id)?.(reply);
        } catch {
          if (this.closing) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    })().finally(() => {
      this.replyLoop = null;
      this.replies = null;
    });
  }
}
