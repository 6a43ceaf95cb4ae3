import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SUBMISSION_EVENTS_CHANNEL, type SubmissionEvent } from '@koodi/contracts';
import { parseSubmissionEvent } from '@koodi/server';
import { RedisSubscriber } from '../infra/redis-subscriber.service';

type Listener = (event: SubmissionEvent | null) => void;

/**
 * Fans the one Redis subscription of this replica out to whoever waits on a submission.
 * A `null` event means "events may have been missed" (after a reconnect): re-read the state.
 */
@Injectable()
export class SubmissionEvents implements OnModuleInit {
  private readonly logger = new Logger(SubmissionEvents.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly everything: Listener[] = [];

  constructor(private readonly subscriber: RedisSubscriber) {}

  async onModuleInit(): Promise<void> {
    await this.subscriber.subscribe(SUBMISSION_EVENTS_CHANNEL, (message) => this.dispatch(message));
    this.subscriber.onResync(() => {
      for (const listener of this.everything) listener(null);
      for (const set of this.listeners.values()) for (const listener of set) listener(null);
    });
  }

  /** Starts listening for one submission; returns the function that stops it. */
  listen(submissionId: string, listener: Listener): () => void {
    let set = this.listeners.get(submissionId);
    if (!set) this.listeners.set(submissionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(submissionId) === set)
        this.listeners.delete(submissionId);
    };
  }

  /** Every event of every submission (and `null` after a reconnect). */
  onAny(listener: Listener): void {
    this.everything.push(listener);
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  dispatch(message: string): void {
    const event = parseSubmissionEvent(message);
    if (!event) {
      this.logger.warn('ignored a malformed submission event');
      return;
    }
    for (const listener of this.everything) listener(event);
    const set = this.listeners.get(event.submissionId);
    if (set) for (const listener of [...set]) listener(event);
  }
}
