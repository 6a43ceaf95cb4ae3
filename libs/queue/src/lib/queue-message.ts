/** What a producer puts on the list (after serialization). The attempt is not part of it: see README, "Attempts". */
export interface QueueEnvelope<T = unknown> {
  id: string;
  pattern: string;
  data: T;
  enqueuedAt: number;
  /** Set by `send()`: the list the server pushes the response packets to. */
  replyTo?: string;
}

/** A message as a handler sees it: the envelope plus how many times it has been delivered, this time included. */
export interface QueueMessage<T = unknown> {
  id: string;
  pattern: string;
  data: T;
  attempt: number;
  enqueuedAt: number;
  replyTo?: string;
}

/** Turns an envelope into the exact string stored in Redis. */
export interface QueueSerializer {
  serialize(envelope: QueueEnvelope): string;
}

/** Turns a stored string back into an envelope; throws on a malformed element. */
export interface QueueDeserializer {
  deserialize(raw: string): QueueEnvelope;
}

/** Response packet pushed on a reply list for `send()`. */
export interface ReplyPacket {
  id: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}
