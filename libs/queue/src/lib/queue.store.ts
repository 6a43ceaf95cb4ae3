/** An element taken from the queue with its delivery count (this delivery included). */
export interface TakenElement {
  raw: string;
  attempt: number;
}

/**
 * The list operations one consumer needs. `RedisListStore` does them with Lua scripts on a real
 * Redis; `InMemoryListStore` (the fake) keeps the same semantics in memory for unit tests.
 */
export interface QueueStore {
  readonly consumerId: string;
  connect(): Promise<void>;
  /** Moves up to `max` elements into this consumer's processing list without blocking. */
  take(max: number): Promise<TakenElement[]>;
  /** Waits up to `timeoutSeconds` for one element; null when none arrived. */
  takeBlocking(timeoutSeconds: number): Promise<TakenElement | null>;
  /** Removes finished elements from the processing list (and their attempt counters). */
  ack(raws: string[]): Promise<void>;
  /** Processing list → back of the queue; false when the element was no longer ours (reaped). */
  requeue(raw: string): Promise<boolean>;
  /** Processing list → dead-letter list; false when the element was no longer ours. */
  deadLetter(raw: string): Promise<boolean>;
  /** Every element of this consumer's processing list, as it is now. */
  listProcessing(): Promise<string[]>;
  /** Refreshes the lease; returns false when the previous lease had already expired. */
  heartbeat(ttlMs: number): Promise<boolean>;
  /** Returns the elements of every consumer whose lease expired; the count moved. */
  reap(): Promise<number>;
  /** At start-up: returns what an earlier process with this consumer id left behind; the count moved. */
  recover(): Promise<number>;
  /** Gives this consumer's unfinished elements back to the front of the queue, undoing their attempt. */
  handBack(): Promise<number>;
  /** Pushes a response packet for `send()` and (re)sets the reply list's expiry. */
  reply(replyTo: string, packet: string, ttlSeconds: number): Promise<void>;
  /** Aborts a pending `takeBlocking` so shutdown does not wait for its timeout. */
  interrupt(): void;
  /** Drops the lease (and the registration once nothing is left to reap), then disconnects. */
  close(): Promise<void>;
  onError(listener: (error: Error) => void): void;
  /** The underlying clients, for `Server.unwrap()`. */
  unwrap(): unknown;
}
