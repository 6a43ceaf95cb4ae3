import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AssignmentCache } from './assignments/assignment-cache.service';
import { AssignmentsController } from './assignments/assignments.controller';
import { AssignmentsService } from './assignments/assignments.service';
import { API_CONFIG, type ApiConfig } from './config/api.config';
import { SubmissionEvents } from './events/submission-events.service';
import { SubmissionStreams } from './events/submission-stream.service';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { HttpDrain } from './http/http-drain.service';
import { AddressGuard } from './identity/address-guard.service';
import { IdentityService } from './identity/identity.service';
import { infraProviders } from './infra/infra.providers';
import { RedisSubscriber } from './infra/redis-subscriber.service';
import { MeController } from './me/me.controller';
import { ProgressService } from './me/progress.service';
import { SolvedCache } from './me/solved-cache.service';
import { opsProviders } from './ops/ops.providers';
import { Reconciler } from './reconciler/reconciler.service';
import { GradingQueue } from './submissions/grading-queue.service';
import { RateLimiter } from './submissions/rate-limiter.service';
import { SubmissionsController } from './submissions/submissions.controller';
import { SubmissionsService } from './submissions/submissions.service';

@Module({})
export class AppModule {
  static forConfig(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, MeController, AssignmentsController, SubmissionsController],
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        ...infraProviders,
        RedisSubscriber,
        AssignmentCache,
        AssignmentsService,
        AddressGuard,
        IdentityService,
        RateLimiter,
        GradingQueue,
        SubmissionsService,
        SubmissionEvents,
        SubmissionStreams,
        ProgressService,
        SolvedCache,
        HealthService,
        ...opsProviders,
        Reconciler,
        HttpDrain,
      ],
    };
  }
}
