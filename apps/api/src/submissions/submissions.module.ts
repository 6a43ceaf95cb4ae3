import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { GradingQueue } from './grading-queue.service';
import { RateLimiter } from './rate-limiter.service';
import { SubmissionsController } from './submissions.controller';
import { SubmissionsService } from './submissions.service';

/** Submitting code, one's own submissions, and the grading queue they go to. */
@Module({
  imports: [AssignmentsModule],
  controllers: [SubmissionsController],
  providers: [SubmissionsService, RateLimiter, GradingQueue],
  exports: [SubmissionsService, GradingQueue],
})
export class SubmissionsModule {}
