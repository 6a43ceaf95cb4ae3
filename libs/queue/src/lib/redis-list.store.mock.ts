import { randomUUID } from 'node:crypto';
import { JsonQueueSerializer } from './json.serializer';
import type { QueueStore, TakenElement } from './queue.store';

/**
 * One queue held in memory, shared by any number of `InMemoryListStore` consumers. Arrays keep
 * the head (the element taken next) at the end, like a Redis list taken from the RIGHT.
 */
export class InMemoryQueue {
  readonly queue: string[] = [];
  readonly dead: string[] = [];
  readonly attempts = new Map<string, number>();
  readonly processing = new Map<string, string[]>();
  readonly leases = new Map<string, number>();
  readonly replies = new Map<string, string[]>();
  private waiters: (() => void)[] = [];
  private readonly codec = new JsonQueueSerializer();

  /** LPUSH of a raw element. */
  push(raw: string): void {
    this.queue.unshift(raw);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Pushes an envelope the way `RedisListClient.emit` does; returns its id. */
  emit(pattern: string, data: unknown, id: string = randomUUID()): string {
    this.push(this.codec.serialize({ id, pattern, data, enqueuedAt: Date.now() }));
    return id;
  }

  processingOf(consumerId: string): string[] {
    let list = this.processing.get(consumerId);
    if (!list) this.processing.set(consumerId, (list = []));
    return list;
  }

  waitForPush(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** In-memory fake of `RedisListStore` with the same semantics, for unit tests without Redis. */
export class InMemoryListStore implements QueueStore {
  private interrupted = false;

  constructor(
    readonly broker: InMemoryQueue,
    readonly consumerId: string = `fake-${randomUUID()}`,
    private readonly now: () => number = Date.now,
  ) {}

  async connect(): Promise<void> {
    this.interrupted = false;
  }

  async take(max: number): Promise<TakenElement[]> {
    const taken: TakenElement[] = [];
    while (taken.length < max && this.broker.queue.length > 0) taken.push(this.moveOne());
    return taken;
  }

  async takeBlocking(timeoutSeconds: number): Promise<TakenElement | null> {
    if (this.broker.queue.length === 0 && !this.interrupted)
      await this.broker.waitForPush(timeoutSeconds * 1000);
    if (this.interrupted) throw new Error('Connection is closed.');
    return this.broker.queue.length > 0 ? this.moveOne() : null;
  }

  async ack(raws: string[]): Promise<void> {
    for (const raw of raws) {
      if (this.removeFromProcessing(raw)) this.broker.attempts.delete(raw);
    }
  }

  async listProcessing(): Promise<string[]> {
    return [...this.broker.processingOf(this.consumerId)];
  }

  async requeue(raw: string): Promise<boolean> {
    if (!this.removeFromProcessing(raw)) return false;
    this.broker.push(raw);
    return true;
  }

  async deadLetter(raw: string): Promise<boolean> {
    if (!this.removeFromProcessing(raw)) return false;
    this.broker.dead.unshift(raw);
    this.broker.attempts.delete(raw);
    return true;
  }

  async heartbeat(ttlMs: number): Promise<boolean> {
    const held = (this.broker.leases.get(this.consumerId) ?? 0) > this.now();
    this.broker.leases.set(this.consumerId, this.now() + ttlMs);
    this.broker.processingOf(this.consumerId);
    return held;
  }

  async reap(): Promise<number> {
    let moved = 0;
    for (const [consumerId, list] of this.broker.processing) {
      if ((this.broker.leases.get(consumerId) ?? 0) > this.now()) continue;
      // Oldest taken goes back to the head, so it is taken first again.
      while (list.length > 0) {
        this.broker.queue.push(list.shift() as string);
        moved++;
      }
      this.broker.processing.delete(consumerId);
    }
    if (moved > 0) this.broker.wakeAll();
    return moved;
  }

  async recover(): Promise<number> {
    const list = this.broker.processingOf(this.consumerId);
    let moved = 0;
    while (list.length > 0) {
      this.broker.queue.push(list.shift() as string);
      moved++;
    }
    return moved;
  }

  async handBack(): Promise<number> {
    const list = this.broker.processingOf(this.consumerId);
    let moved = 0;
    while (list.length > 0) {
      const raw = list.shift() as string;
      this.broker.queue.push(raw);
      const left = (this.broker.attempts.get(raw) ?? 0) - 1;
      if (left <= 0) this.broker.attempts.delete(raw);
      else this.broker.attempts.set(raw, left);
      moved++;
    }
    return moved;
  }

  async reply(replyTo: string, packet: string): Promise<void> {
    const list = this.broker.replies.get(replyTo) ?? [];
    list.unshift(packet);
    this.broker.replies.set(replyTo, list);
  }

  interrupt(): void {
    this.interrupted = true;
    this.broker.wakeAll();
  }

  async close(): Promise<void> {
    this.interrupt();
    this.broker.leases.delete(this.consumerId);
    if (this.broker.processingOf(this.consumerId).length === 0)
      this.broker.processing.delete(this.consumerId);
  }

  onError(): void {
    // nothing fails in memory
  }

  unwrap(): InMemoryQueue {
    return this.broker;
  }

  private moveOne(): TakenElement {
    const raw = this.broker.queue.pop() as string;
    this.broker.processingOf(this.consumerId).unshift(raw);
    const attempt = (this.broker.attempts.get(raw) ?? 0) + 1;
    this.broker.attempts.set(raw, attempt);
    return { raw, attempt };
  }

  private removeFromProcessing(raw: string): boolean {
    const list = this.broker.processingOf(this.consumerId);
    const index = list.lastIndexOf(raw);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }
}
