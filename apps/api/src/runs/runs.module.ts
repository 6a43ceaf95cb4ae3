import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { RateLimiter } from '../submissions/rate-limiter.service';
import { RUN_LANE, RunLane } from './run-lane.client';
import { RunsController } from './runs.controller';
import { RunsService } from './runs.service';

/** Running code against the visible samples over the Run lane: never a submission. */
@Module({
  imports: [AssignmentsModule],
  controllers: [RunsController],
  providers: [RunsService, RateLimiter, { provide: RUN_LANE, useClass: RunLane }],
})
export class RunsModule {}
