import { EventEmitter } from 'node:events';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { JsonQueueSerializer } from './json.serializer';
import type { QueueDeserializer, QueueMessage, ReplyPacket } from './queue-message';
import type { QueueStore, TakenElement } from './queue.store';
import { RedisListContext } from './redis-list.context';
import {
  resolveServerOptions,
  type RedisListTransportOptions,
  type ResolvedServerOptions,
} from './redis-list.options';
import { RedisListStore } from './redis-list.store';

/** Identifies this transport in `@EventPattern(pattern, REDIS_LIST_TRANSPORT)` when an app runs several. */
export const REDIS_LIST_TRANSPORT = Symbol('REDIS_LIST_TRANSPORT');

export type RedisListServerStatus = 'connecting' | 'connected' | 'closing' | 'closed';

type RedisListServerEvents = {
  error: (error: unknown) => void;
};

/** Bounds the Redis calls made while closing, so close() ends even when Redis is gone. */
const CLOSE_REDIS_TIMEOUT_MS = 2_000;

/**
 * Consumer side of the transport: register with
 * `NestFactory.createMicroservice(AppModule, { strategy: new RedisListServer(options) })`.
 *
 * One taker loop per server feeds up to `concurrency` handlers: it takes as many messages as
 * there are free slots in one atomic script, and only when the queue is empty does it block in
 * BLMOVE (bounded by `blockTimeoutSeconds`). That keeps one blocking connection per process
 * whatever the concurrency, and lets a busy consumer take a batch per round trip.
 */
export class RedisListServer
  extends Server<RedisListServerEvents, RedisListServerStatus>
  implements CustomTransportStrategy
{
  override readonly transportId = REDIS_LIST_TRANSPORT;
  readonly options: ResolvedServerOptions;
  private readonly store: QueueStore;
  private readonly codec: QueueDeserializer;
  private readonly events = new EventEmitter();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly ackFlushes = new Set<Promise<void>>();
  private pendingAcks: string[] = [];
  private ackScheduled = false;
  private active = 0;
  private slotWaiter: (() => void) | null = null;
  private closing = false;
  private handedBack = false;
  private closed: Promise<void> | null = null;
  private loop: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private heartbeatBusy = false;
  private reaperBusy = false;
  /** Elements handed to a handler and not yet finished, by raw (a raw may be held twice). */
  private readonly holding = new Map<string, number>();
  /** Ack batches on their way to Redis: still listed, no longer held. */
  private readonly acking = new Set<string[]>();
  /** When the take in progress started (null: none), and what the last sweep found unheld. */
  private takeStartedAt: number | null = null;
  private unheldSeen = { at: 0, counts: new Map<string, number>() };
  private lastErrorLog = 0;
  private readonly handlerCache = new Map<string, MessageHandler | null>();
  private handlerCacheSize = 0;

  /** `store` replaces Redis, e.g. with `InMemoryListStore` in unit tests. */
  constructor(options: RedisListTransportOptions, store?: QueueStore) {
    super();
    this.options = resolveServerOptions(options);
    this.codec = options.deserializer ?? new JsonQueueSerializer();
    this.store = store ?? new RedisListStore(this.options);
    this.store.onError((error) => this.reportError(error));
  }

  get consumerId(): string {
    return this.options.consumerId;
  }

  /** Handlers running now (taken, not yet finished). */
  get activeCount(): number {
    return this.active;
  }

  async listen(callback: (error?: unknown, ...info: unknown[]) => void): Promise<void> {
    this._status$.next('connecting');
    try {
      await this.store.connect();
      await this.store.heartbeat(this.options.heartbeatTtlMs);
      // Nothing is taken yet, so anything held under this id is a dead predecessor's.
      const recovered = await this.store.recover();
      if (recovered > 0) {
        this.logger.warn(
          `Returned ${recovered} message(s) left by an earlier ${this.consumerId} to ${this.options.queue}`,
        );
      }
    } catch (error) {
      this.closing = true;
      await this.store.close().catch(() => undefined);
      this._status$.next('closed');
      callback(error);
      return;
    }
    this.startTimers();
    this._status$.next('connected');
    this.loop = this.takeLoop();
    callback();
  }

  /** Stops taking, waits up to `shutdownTimeoutMs` for running handlers, hands back the rest. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  on<K extends keyof RedisListServerEvents>(event: K, callback: RedisListServerEvents[K]): void {
    this.events.on(event, callback);
  }

  unwrap<T>(): T {
    return this.store.unwrap() as T;
  }

  private async takeLoop(): Promise<void> {
    let backoffMs = 0;
    while (!this.closing) {
      await this.waitForSlot();
      if (this.closing) break;
      let taken: TakenElement[];
      this.takeStartedAt = Date.now();
      try {
        taken = await this.store.take(this.options.concurrency - this.active);
        if (taken.length === 0 && !this.closing) {
          const one = await this.store.takeBlocking(this.options.blockTimeoutSeconds);
          taken = one ? [one] : [];
        }
        backoffMs = 0;
      } catch (error) {
        this.takeStartedAt = null;
        if (this.closing) break;
        this.reportError(error);
        backoffMs = Math.min(backoffMs * 2 || 50, 1_000);
        await sleep(backoffMs);
        continue;
      }
      // Taken while closing: left in the processing list, close() hands them back undelivered.
      if (this.closing) break;
      for (const element of taken) this.dispatch(element);
      this.takeStartedAt = null;
    }
  }

  private async waitForSlot(): Promise<void> {
    if (this.active < this.options.concurrency || this.closing) return;
    await new Promise<void>((resolve) => (this.slotWaiter = resolve));
    // Let the handlers finishing in this turn free their slots too, so the next take is a batch.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private wakeTaker(): void {
    const waiter = this.slotWaiter;
    this.slotWaiter = null;
    waiter?.();
  }

  private dispatch(element: TakenElement): void {
    this.active++;
    this.holding.set(element.raw, (this.holding.get(element.raw) ?? 0) + 1);
    const work: Promise<void> = this.process(element)
      .catch((error) => this.reportError(error))
      .finally(() => {
        const held = (this.holding.get(element.raw) ?? 1) - 1;
        if (held > 0) this.holding.set(element.raw, held);
        else this.holding.delete(element.raw);
        this.active--;
        this.inFlight.delete(work);
        this.wakeTaker();
      });
    this.inFlight.add(work);
  }

  private async process({ raw, attempt }: TakenElement): Promise<void> {
    let message: QueueMessage;
    try {
      message = { ...this.codec.deserialize(raw), attempt };
    } catch (error) {
      this.logger.error(`Dead-lettering an element that cannot be read: ${describe(error)}`);
      await this.store.deadLetter(raw);
      return;
    }
    if (attempt > this.options.maxAttempts) {
      // Earlier deliveries ended without an answer (their consumer died): do not run it again.
      await this.deadLetter(
        raw,
        message,
        new Error(`delivered ${attempt} times, more than maxAttempts ${this.options.maxAttempts}`),
      );
      return;
    }
    const handler = this.handlerFor(message.pattern);
    if (!handler) {
      await this.fail(raw, message, new Error(`No handler for pattern "${message.pattern}"`));
      return;
    }
    const context = new RedisListContext([this.options.queue, this.options.consumerId, message]);
    if (message.replyTo !== undefined && !handler.isEventHandler) {
      await this.respond(handler, message, context);
    } else {
      try {
        const result: unknown = await handler(message.data, context);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      } catch (error) {
        await this.fail(raw, message, error);
        return;
      }
    }
    this.ack(raw);
  }

  /** `getHandlerByPattern` tries JSON.parse on every pattern; a plain string pattern makes it throw each time. */
  private handlerFor(pattern: string): MessageHandler | null {
    if (this.handlerCacheSize !== this.messageHandlers.size) {
      this.handlerCache.clear();
      this.handlerCacheSize = this.messageHandlers.size;
    }
    let handler = this.handlerCache.get(pattern);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(pattern);
      this.handlerCache.set(pattern, handler);
    }
    return handler;
  }

  /** Request–response: every emitted value goes to the caller's reply list; errors are answers, not retries. */
  private async respond(
    handler: MessageHandler,
    message: QueueMessage,
    context: RedisListContext,
  ): Promise<void> {
    const replyTo = message.replyTo as string;
    const pushes: Promise<void>[] = [];
    const push = (packet: ReplyPacket) =>
      pushes.push(this.store.reply(replyTo, JSON.stringify(packet), this.options.replyTtlSeconds));
    try {
      const stream = this.transformToObservable(await handler(message.data, context));
      await new Promise<void>((resolve) => {
        stream.subscribe({
          next: (response) => push({ id: message.id, response }),
          error: (err) => {
            push({ id: message.id, err: serializeError(err), isDisposed: true });
            resolve();
          },
          complete: () => {
            push({ id: message.id, isDisposed: true });
            resolve();
          },
        });
      });
    } catch (error) {
      push({ id: message.id, err: serializeError(error), isDisposed: true });
    }
    await Promise.all(pushes);
  }

  private async fail(raw: string, message: QueueMessage, reason: unknown): Promise<void> {
    if (message.attempt >= this.options.maxAttempts) {
      await this.deadLetter(raw, message, reason);
      return;
    }
    this.logger.warn(
      `Message ${message.id} (${message.pattern}) failed on attempt ${message.attempt}/${this.options.maxAttempts}, re-queued: ${describe(reason)}`,
    );
    await this.store.requeue(raw);
  }

  private async deadLetter(raw: string, message: QueueMessage, reason: unknown): Promise<void> {
    this.logger.error(
      `Message ${message.id} (${message.pattern}) dead-lettered: ${describe(reason)}`,
    );
    // Notified while the message is still ours: a crash here re-delivers it and notifies again.
    if (this.options.onDeadLetter) {
      try {
        await this.options.onDeadLetter(message, reason);
      } catch (error) {
        this.reportError(error);
      }
    }
    await this.store.deadLetter(raw);
  }

  /** Acks of one event-loop turn go to Redis as one script call. */
  private ack(raw: string): void {
    // Past the shutdown deadline the element was handed back; it will be delivered again.
    if (this.handedBack) return;
    this.pendingAcks.push(raw);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => void this.flushAcks());
  }

  private flushAcks(): Promise<void> {
    this.ackScheduled = false;
    const batch = this.pendingAcks;
    this.pendingAcks = [];
    if (batch.length === 0) return Promise.resolve();
    this.acking.add(batch);
    const flush: Promise<void> = this.store
      .ack(batch)
      .catch((error) => this.reportError(error))
      .finally(() => {
        this.acking.delete(batch);
        this.ackFlushes.delete(flush);
      });
    this.ackFlushes.add(flush);
    return flush;
  }

  private startTimers(): void {
    const heartbeat = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
    // Jitter keeps a fleet of consumers from reaping in lockstep.
    const reaperEvery = Math.round(this.options.reaperIntervalMs * (0.9 + Math.random() * 0.2));
    const reaper = setInterval(() => void this.reap(), reaperEvery);
    heartbeat.unref();
    reaper.unref();
    this.timers.push(heartbeat, reaper);
  }

  private async beat(): Promise<void> {
    if (this.heartbeatBusy || this.closing) return;
    this.heartbeatBusy = true;
    try {
      const held = await this.store.heartbeat(this.options.heartbeatTtlMs);
      if (!held && !this.closing) {
        this.logger.warn(
          `Consumer ${this.consumerId} lost its lease (heartbeat expired); its messages may have been re-delivered elsewhere`,
        );
      }
      if (!this.closing) await this.returnUnheld();
    } catch (error) {
      this.reportError(error);
    } finally {
      this.heartbeatBusy = false;
    }
  }

  /**
   * An element can sit in this consumer's processing list with no handler on it: a blocking take
   * whose connection dropped (a cut link, a socket timeout) may still have moved an element there
   * on the server, its reply lost. No reaper returns it while this consumer's lease lives, and the
   * API's reconciler counts it as in flight, so it would wait forever. Each heartbeat therefore
   * compares the list with what is held; an element unheld at two heartbeats in a row, with no
   * take in progress since before the first (that take may be about to hand it over), goes back.
   */
  private async returnUnheld(): Promise<void> {
    const at = Date.now();
    const listed = await this.store.listProcessing();
    const expected = new Map(this.holding);
    for (const raw of [...this.pendingAcks, ...[...this.acking].flat()])
      expected.set(raw, (expected.get(raw) ?? 0) + 1);
    const unheld = new Map<string, number>();
    for (const raw of listed) {
      const left = expected.get(raw) ?? 0;
      if (left > 0) expected.set(raw, left - 1);
      else unheld.set(raw, (unheld.get(raw) ?? 0) + 1);
    }
    const previous = this.unheldSeen;
    this.unheldSeen = { at, counts: unheld };
    if (this.takeStartedAt !== null && this.takeStartedAt <= previous.at) return;
    let returned = 0;
    for (const [raw, n] of unheld) {
      for (let i = Math.min(n, previous.counts.get(raw) ?? 0); i > 0; i--) {
        if (await this.store.requeue(raw)) returned++;
      }
    }
    if (returned > 0) {
      this.unheldSeen = { at, counts: new Map() };
      this.logger.warn(
        `Returned ${returned} element(s) of ${this.consumerId}'s processing list that no handler held`,
      );
    }
  }

  private async reap(): Promise<void> {
    if (this.reaperBusy || this.closing) return;
    this.reaperBusy = true;
    try {
      const moved = await this.store.reap();
      if (moved > 0)
        this.logger.warn(
          `Returned ${moved} message(s) of expired consumers to ${this.options.queue}`,
        );
    } catch (error) {
      this.reportError(error);
    } finally {
      this.reaperBusy = false;
    }
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    this._status$.next('closing');
    for (const timer of this.timers) clearInterval(timer);
    this.store.interrupt();
    this.wakeTaker();
    // A take queued while Redis is unreachable never settles once its connection is dropped.
    await withTimeout(this.loop, 1_000).catch(() => undefined);
    await withTimeout(Promise.allSettled([...this.inFlight]), this.options.shutdownTimeoutMs).catch(
      () => undefined,
    );
    await withTimeout(
      (async () => {
        await this.flushAcks();
        await Promise.allSettled([...this.ackFlushes]);
        this.handedBack = true;
        const handedBack = await this.store.handBack();
        if (handedBack > 0)
          this.logger.warn(
            `Handed ${handedBack} unfinished message(s) back to ${this.options.queue}`,
          );
      })(),
      CLOSE_REDIS_TIMEOUT_MS,
    ).catch((error) => this.reportError(error));
    await withTimeout(this.store.close(), CLOSE_REDIS_TIMEOUT_MS).catch((error) =>
      this.reportError(error),
    );
    this._status$.next('closed');
  }

  private reportError(error: unknown): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
    const now = Date.now();
    if (now - this.lastErrorLog >= 1_000) {
      this.lastErrorLog = now;
      this.logger.error(`Redis list transport (${this.options.queue}): ${describe(error)}`);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String(error.message);
  return String(error);
}

function serializeError(error: unknown): unknown {
  return error instanceof Error ? { name: error.name, message: error.message } : error;
}
