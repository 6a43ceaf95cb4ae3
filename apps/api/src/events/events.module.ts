import { Module } from '@nestjs/common';
import { SubmissionEvents } from './submission-events.service';

/** The pub/sub side of submissions: this replica's one subscription, fanned out per submission. */
@Module({
  providers: [SubmissionEvents],
  exports: [SubmissionEvents],
})
export class EventsModule {}
