import type { SubmissionEvent } from '@koodi/contracts';
import { SubmissionEventsPublisher } from '@koodi/server';

export class SubmissionEventsPublisherFake extends SubmissionEventsPublisher {
  readonly published: SubmissionEvent[] = [];
  failing = false;

  async publish(event: SubmissionEvent): Promise<void> {
    if (this.failing) throw new Error('redis unavailable');
    this.published.push(event);
  }
}
