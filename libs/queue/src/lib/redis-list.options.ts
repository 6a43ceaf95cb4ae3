import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisOptions } from 'ioredis';
import type { QueueDeserializer, QueueMessage, QueueSerializer } from './queue-message';
import { hashTagOf, isClusterUrl } from './redis-connection';

/** Settings of the server (consumer) side. Every field is described in the README. */
export interface RedisListTransportOptions {
  /** `redis://[:password@]host:port[/db]`; `redis` options, when given, are applied on top. */
  redisUrl: string;
  redis?: RedisOptions;
  /**
   * Name of the list, e.g. `GRADING_QUEUE`. Other keys are derived from it (see `queueKeys`); on
   * a Redis Cluster it must carry a hash tag (`{grading}:queue`) so they all share its slot.
   */
  queue: string;
  consumerId?: string;
  concurrency?: number;
  heartbeatTtlMs?: number;
  heartbeatIntervalMs?: number;
  reaperIntervalMs?: number;
  maxAttempts?: number;
  blockTimeoutSeconds?: number;
  shutdownTimeoutMs?: number;
  /** Seconds a reply list for `send()` lives after the last response pushed to it. */
  replyTtlSeconds?: number;
  serializer?: QueueSerializer;
  deserializer?: QueueDeserializer;
  /** Called (at least once) before a message is moved to the dead-letter list. */
  onDeadLetter?: (message: QueueMessage, reason: unknown) => Promise<void> | void;
}

export interface ResolvedServerOptions {
  redisUrl: string;
  redis: RedisOptions;
  queue: string;
  consumerId: string;
  concurrency: number;
  heartbeatTtlMs: number;
  heartbeatIntervalMs: number;
  reaperIntervalMs: number;
  maxAttempts: number;
  blockTimeoutSeconds: number;
  shutdownTimeoutMs: number;
  replyTtlSeconds: number;
  onDeadLetter?: (message: QueueMessage, reason: unknown) => Promise<void> | void;
}

export function defaultConsumerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Fills in defaults and rejects impossible settings, listing every problem at once. */
export function resolveServerOptions(options: RedisListTransportOptions): ResolvedServerOptions {
  const heartbeatTtlMs = options.heartbeatTtlMs ?? 10_000;
  const resolved: ResolvedServerOptions = {
    redisUrl: options.redisUrl,
    redis: options.redis ?? {},
    queue: options.queue,
    consumerId: options.consumerId ?? defaultConsumerId(),
    concurrency: options.concurrency ?? 1,
    heartbeatTtlMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.max(1, Math.floor(heartbeatTtlMs / 3)),
    reaperIntervalMs: options.reaperIntervalMs ?? heartbeatTtlMs,
    maxAttempts: options.maxAttempts ?? 3,
    blockTimeoutSeconds: options.blockTimeoutSeconds ?? 1,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 10_000,
    replyTtlSeconds: options.replyTtlSeconds ?? 60,
    onDeadLetter: options.onDeadLetter,
  };
  const problems: string[] = [];
  if (!resolved.queue) problems.push('queue must be a non-empty string');
  else {
    const clusterProblem = clusterQueueProblem(resolved.redisUrl, resolved.queue);
    if (clusterProblem) problems.push(clusterProblem);
  }
  if (!resolved.consumerId || /[\s*?[\]]/.test(resolved.consumerId)) {
    problems.push('consumerId must be non-empty without spaces or glob characters');
  }
  const positiveInts: (keyof ResolvedServerOptions)[] = [
    'concurrency',
    'heartbeatTtlMs',
    'heartbeatIntervalMs',
    'reaperIntervalMs',
    'maxAttempts',
    'replyTtlSeconds',
  ];
  for (const key of positiveInts) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      problems.push(`${key} must be a positive integer`);
  }
  if (resolved.heartbeatIntervalMs >= resolved.heartbeatTtlMs) {
    problems.push('heartbeatIntervalMs must be smaller than heartbeatTtlMs');
  }
  if (!(resolved.blockTimeoutSeconds > 0))
    problems.push('blockTimeoutSeconds must be > 0 (0 would block forever)');
  if (!(resolved.shutdownTimeoutMs >= 0)) problems.push('shutdownTimeoutMs must be >= 0');
  if (problems.length > 0) {
    throw new Error(`Invalid RedisListTransportOptions: ${problems.join('; ')}`);
  }
  return resolved;
}

/**
 * On a Redis Cluster the scripts and BLMOVE touch the queue and its derived keys together, which
 * only works when they hash to one slot: the queue's name must carry a hash tag that every
 * derived key (`<queue>:processing:<id>`, …) then repeats.
 */
export function clusterQueueProblem(redisUrl: string, queue: string): string | null {
  if (!isClusterUrl(redisUrl) || hashTagOf(queue) !== queue) return null;
  return `queue "${queue}" needs a hash tag on a Redis Cluster, e.g. "{${queue.split(':')[0] || 'grading'}}:queue"`;
}

/** Every Redis key the transport uses for one queue; all share the queue's hash tag, if any. */
export interface QueueKeys {
  queue: string;
  dead: string;
  attempts: string;
  consumers: string;
  processing(consumerId: string): string;
  heartbeat(consumerId: string): string;
  reply(clientId: string): string;
}

export function queueKeys(queue: string): QueueKeys {
  return {
    queue,
    dead: `${queue}:dead`,
    attempts: `${queue}:attempts`,
    consumers: `${queue}:consumers`,
    processing: (consumerId) => `${queue}:processing:${consumerId}`,
    heartbeat: (consumerId) => `${queue}:heartbeat:${consumerId}`,
    reply: (clientId) => `${queue}:reply:${clientId}`,
  };
}
