import { Module } from '@nestjs/common';
import { AssignmentsModule } from '../assignments/assignments.module';
import { MeController } from './me.controller';
import { ProgressService } from './progress.service';

/** A student's progress: points, solved assignments, what comes next. */
@Module({
  imports: [AssignmentsModule],
  controllers: [MeController],
  providers: [ProgressService],
})
export class MeModule {}
