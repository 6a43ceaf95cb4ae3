import {
  SUBMISSION_EVENTS_CHANNEL,
  type SubmissionEvent,
  type SubmissionStatus,
} from '@koodi/contracts';

/** The one wire form of a SubmissionEvent on {@link SUBMISSION_EVENTS_CHANNEL}. */
export function serializeSubmissionEvent(event: SubmissionEvent): string {
  const { event: name, submissionId, userId, status } = event;
  return JSON.stringify({ event: name, submissionId, userId, status } satisfies SubmissionEvent);
}

/** A message from the channel, or null when it is no submission event. */
export function parseSubmissionEvent(message: string): SubmissionEvent | null {
  let value: Partial<SubmissionEvent> | null;
  try {
    value = JSON.parse(message) as Partial<SubmissionEvent> | null;
  } catch {
    return null;
  }
  return typeof value?.submissionId === 'string' ? (value as SubmissionEvent) : null;
}

/** A row whose status changed, as the repositories report it. */
export interface ChangedRow {
  id: string;
  userId: string;
  status: SubmissionStatus;
}

/** Where status changes go: every API instance subscribes and pushes them to its SSE clients. */
export abstract class SubmissionEventsPublisher {
  abstract publish(event: SubmissionEvent): Promise<void>;

  /** One event per changed row, in order. */
  async publishChanged(
    rows: readonly ChangedRow[],
    event: SubmissionEvent['event'],
  ): Promise<void> {
    for (const row of rows)
      await this.publish({ event, submissionId: row.id, userId: row.userId, status: row.status });
  }
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
    await this.redis.publish(SUBMISSION_EVENTS_CHANNEL, serializeSubmissionEvent(event));
  }
}
