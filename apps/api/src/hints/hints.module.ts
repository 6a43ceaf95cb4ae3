import { Module } from '@nestjs/common';
import { HintRepository } from '@koodi/db';
import type { DataSource } from 'typeorm';
import { AssignmentsModule } from '../assignments/assignments.module';
import { DATA_SOURCE } from '../infra/infra.providers';
import { HintsController } from './hints.controller';
import { HINT_REPOSITORY, HintsService } from './hints.service';

/** Hints one at a time, remembered per student. */
@Module({
  imports: [AssignmentsModule],
  controllers: [HintsController],
  providers: [
    HintsService,
    {
      provide: HINT_REPOSITORY,
      inject: [DATA_SOURCE],
      useFactory: (ds: DataSource) => new HintRepository(ds),
    },
  ],
})
export class HintsModule {}
