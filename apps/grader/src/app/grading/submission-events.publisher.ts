import { SUBMISSION_EVENTS_CHANNEL, type SubmissionEvent } from '@koodi/contracts';

/** The grader's own Redis connection for publishing (the queue transport keeps its own). */
export const REDIS_PUBLISHER = Symbol('REDIS_PUBLISHER');

/** Where status changes go: every API instance subscribes and pushes them to its SSE clients. */
export abstract class SubmissionEventsPublisher {
  abstract publish(event: SubmissionEvent): Promise<void>;
}

/** The part of an ioredis client the publisher uses. */
export interface RedisPublishing {
  publish(channel: string, message: string): Promise<number>;
}

export class RedisSubmissionEventsPublisher extends SubmissionEventsPublisher {
  constructor(private readonly redis: RedisPublishing) {
    super();
  }

  async publish(event: SubmissionEvent): Promise<void> {
    await this.redis.publish(SUBMISSION_EVENTS_CHANNEL, JSON.stringify(event));
  }
}
