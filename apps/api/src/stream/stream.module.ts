import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { EventsModule } from '../events/events.module';
import { SubmissionsModule } from '../submissions/submissions.module';
import { SubmissionStreamController } from './submission-stream.controller';
import { SubmissionStreams } from './submission-stream.service';

/** The live status of a submission over Server-Sent Events. */
@Module({
  imports: [SubmissionsModule, EventsModule, AssignmentsModule],
  controllers: [SubmissionStreamController],
  providers: [SubmissionStreams],
})
export class StreamModule {}
