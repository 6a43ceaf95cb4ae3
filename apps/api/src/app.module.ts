import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AssignmentsModule } from './assignments/assignments.module';
import type { ApiConfig } from './config/api.config';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { HintsModule } from './hints/hints.module';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { HttpDrain } from './http/http-drain.service';
import { IdentityModule } from './identity/identity.module';
import { InfraModule } from './infra/infra.module';
import { MeModule } from './me/me.module';
import { opsProviders } from './ops/ops.providers';
import { Reconciler } from './reconciler/reconciler.service';
import { RunsModule } from './runs/runs.module';
import { StreamModule } from './stream/stream.module';
import { SubmissionsModule } from './submissions/submissions.module';

/** The features, each its own module; the process-wide pieces (errors, drain, ops, reconciler) here. */
@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forConfig(config),
        EventsModule,
        IdentityModule,
        AssignmentsModule,
        SubmissionsModule,
        RunsModule,
        HintsModule,
        StreamModule,
        MeModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        HttpDrain,
        ...opsProviders,
        Reconciler,
      ],
    };
  }
}
