import type { QueueStore, TakenElement } from './queue.store';
import {
  closeRedis,
  connectOnce,
  createRedis,
  disconnect,
  REDIS_SOCKET_TIMEOUT_MS,
  type RedisClient,
  scriptRunner,
  type ScriptRunner,
} from './redis-connection';
import { queueKeys, type QueueKeys, type ResolvedServerOptions } from './redis-list.options';

/**
 * The real store. Two connections per consumer: `taker` runs the takes (and is the only one that
 * blocks, in BLMOVE), `commands` carries acks, heartbeats, reaping and replies with
 * auto-pipelining, so a slow blocking read never delays a heartbeat.
 */
export class RedisListStore implements QueueStore {
  readonly consumerId: string;
  private readonly keys: QueueKeys;
  private readonly processing: string;
  private readonly taker: RedisClient;
  private readonly commands: RedisClient;
  private readonly runTaker: ScriptRunner;
  private readonly run: ScriptRunner;

  constructor(options: ResolvedServerOptions) {
    this.consumerId = options.consumerId;
    this.keys = queueKeys(options.queue);
    this.processing = this.keys.processing(this.consumerId);
    // The blocking read waits up to blockTimeoutSeconds for its reply: the socket timeout must be longer.
    const takerTimeout = Math.max(
      REDIS_SOCKET_TIMEOUT_MS,
      options.blockTimeoutSeconds * 1000 + 5_000,
    );
    this.taker = createRedis(
      options.redisUrl,
      { socketTimeout: takerTimeout, ...options.redis },
      `${options.queue}:taker:${this.consumerId}`,
    );
    this.commands = createRedis(
      options.redisUrl,
      { enableAutoPipelining: true, ...options.redis },
      `${options.queue}:consumer:${this.consumerId}`,
    );
    this.runTaker = scriptRunner(this.taker);
    this.run = scriptRunner(this.commands);
  }

  async connect(): Promise<void> {
    await Promise.all([connectOnce(this.commands), connectOnce(this.taker)]);
  }

  async take(max: number): Promise<TakenElement[]> {
    const flat = (await this.runTaker(
      'takeBatch',
      [this.keys.queue, this.processing, this.keys.attempts],
      [max],
    )) as (string | number)[];
    const taken: TakenElement[] = [];
    for (let i = 0; i < flat.length; i += 2)
      taken.push({ raw: String(flat[i]), attempt: Number(flat[i + 1]) });
    return taken;
  }

  async takeBlocking(timeoutSeconds: number): Promise<TakenElement | null> {
    const raw = await this.taker.blmove(
      this.keys.queue,
      this.processing,
      'RIGHT',
      'LEFT',
      timeoutSeconds,
    );
    if (raw === null) return null;
    // A kill between these two commands under-counts one delivery; the README documents the window.
    const attempt = await this.taker.hincrby(this.keys.attempts, raw, 1);
    return { raw, attempt };
  }

  async ack(raws: string[]): Promise<void> {
    if (raws.length > 0) await this.run('ackBatch', [this.processing, this.keys.attempts], raws);
  }

  async requeue(raw: string): Promise<boolean> {
    return (await this.run('requeueOne', [this.processing, this.keys.queue], [raw])) === 1;
  }

  async deadLetter(raw: string): Promise<boolean> {
    return (
      (await this.run(
        'deadLetterOne',
        [this.processing, this.keys.dead, this.keys.attempts],
        [raw],
      )) === 1
    );
  }

  listProcessing(): Promise<string[]> {
    return this.commands.lrange(this.processing, 0, -1);
  }

  async heartbeat(ttlMs: number): Promise<boolean> {
    const had = await this.run(
      'heartbeatLease',
      [this.keys.heartbeat(this.consumerId), this.keys.consumers],
      [Date.now(), ttlMs, this.consumerId],
    );
    return had === 1;
  }

  async reap(): Promise<number> {
    const consumers = await this.commands.smembers(this.keys.consumers);
    const moved = await Promise.all(
      consumers.map((id) =>
        this.run(
          'reapConsumer',
          [this.keys.heartbeat(id), this.keys.processing(id), this.keys.queue, this.keys.consumers],
          [id],
        ),
      ),
    );
    return moved.reduce<number>((sum, n) => sum + Math.max(0, Number(n)), 0);
  }

  async recover(): Promise<number> {
    return Number(await this.run('recoverOwn', [this.processing, this.keys.queue], []));
  }

  async handBack(): Promise<number> {
    return Number(
      await this.run('handBackAll', [this.processing, this.keys.queue, this.keys.attempts], []),
    );
  }

  async reply(replyTo: string, packet: string, ttlSeconds: number): Promise<void> {
    await Promise.all([
      this.commands.lpush(replyTo, packet),
      this.commands.expire(replyTo, ttlSeconds),
    ]);
  }

  interrupt(): void {
    disconnect(this.taker);
  }

  async close(): Promise<void> {
    disconnect(this.taker);
    try {
      if (this.commands.status === 'ready') {
        await this.run(
          'leave',
          [this.keys.heartbeat(this.consumerId), this.processing, this.keys.consumers],
          [this.consumerId],
        );
      }
    } finally {
      await closeRedis(this.commands);
    }
  }

  onError(listener: (error: Error) => void): void {
    this.taker.on('error', listener);
    this.commands.on('error', listener);
  }

  unwrap(): { taker: RedisClient; commands: RedisClient } {
    return { taker: this.taker, commands: this.commands };
  }
}
