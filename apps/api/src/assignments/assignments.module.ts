import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { AssignmentCache } from './assignment-cache.service';
import { AssignmentsController } from './assignments.controller';
import { AssignmentsService } from './assignments.service';

/** The course: assignments (cached in two layers) and which of them each student has solved. */
@Module({
  imports: [EventsModule],
  controllers: [AssignmentsController],
  providers: [AssignmentCache, AssignmentsService],
  exports: [AssignmentsService],
})
export class AssignmentsModule {}
