import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type LoggerService,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AssignmentRepository, createDataSource, SubmissionRepository } from '@koodi/db';
import { createRedis, enforceEvictionPolicy, type RedisClient } from '@koodi/queue';
import { SandboxPool } from '@koodi/sandbox';
import { GRADER_CONFIG, type GraderConfig } from './config/grader.config';
import { AssignmentTestsCache, type AssignmentSource } from './grading/assignment-tests.cache';
import { GradingHandler } from './grading/grading.handler';
import { GradingService, SUBMISSION_STORE, type SubmissionStore } from './grading/grading.service';
import {
  OPS_SERVER_OPTIONS,
  OpsServer,
  type OpsServerOptions,
  RedisSubmissionEventsPublisher,
  SubmissionEventsPublisher,
} from '@koodi/server';
import { REDIS_PUBLISHER } from './grading/submission-events.publisher';
import { DATABASE_RETRY, RETRY_POLICY, type RetryPolicy } from './grading/transient-retry';
import { GraderMetrics } from './ops/grader.metrics';
import { HealthService } from './ops/health.service';
import { RUN_LANE_CONSUMER, RunLaneServer } from './runs/run-lane.server';
import { RunService } from './runs/run.service';
import { RUN_SANDBOX, SANDBOX, type SandboxRunner } from './sandbox/sandbox.port';

/** Replacements for tests: a scripted sandbox, a store that fails on cue, a faster retry policy. */
export interface GraderOverrides {
  sandbox?: SandboxRunner;
  /** The sandboxes of the Run lane; defaults to `sandbox` when that is given. */
  runSandbox?: SandboxRunner;
  submissions?: (real: SubmissionStore) => SubmissionStore;
  assignments?: (real: AssignmentSource) => AssignmentSource;
  retryPolicy?: RetryPolicy;
  /** Where log lines go instead of JSON on stdout. */
  logger?: LoggerService;
}

/** Starts the sandbox pool with the app and closes what the grader holds, in order, at shutdown. */
@Injectable()
class GraderResources implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(GRADER_CONFIG) private readonly config: GraderConfig,
    @Inject(SANDBOX) private readonly sandbox: SandboxRunner,
    @Inject(RUN_SANDBOX) private readonly runSandbox: SandboxRunner | null,
    @Inject(REDIS_PUBLISHER) private readonly redis: RedisClient,
    private readonly dataSource: DataSource,
    private readonly metrics: GraderMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    // Before any sandbox starts: a Redis that may evict queued jobs ends the process here.
    await enforceEvictionPolicy(this.redis, this.config.gradingQueue, new Logger('Redis'));
    await this.sandbox.start?.();
    if (this.runSandbox !== this.sandbox) await this.runSandbox?.start?.();
    this.metrics.setSlots(this.sandbox.stats?.().slots ?? this.config.slots);
    const stats = this.sandbox.stats?.bind(this.sandbox);
    if (stats) this.metrics.watchSandbox(stats);
  }

  // The queue server has already drained or handed back its jobs when this runs.
  async onApplicationShutdown(): Promise<void> {
    await this.sandbox.close?.();
    if (this.runSandbox !== this.sandbox) await this.runSandbox?.close?.();
    await this.redis.quit().catch(() => this.redis.disconnect());
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Module({})
export class GraderModule {
  /** `consumerId` names this process on both queues (graded jobs and runs). */
  static register(
    config: GraderConfig,
    overrides: GraderOverrides = {},
    consumerId = config.graderId,
  ): DynamicModule {
    return {
      module: GraderModule,
      controllers: [GradingHandler],
      providers: [
        { provide: GRADER_CONFIG, useValue: config },
        {
          provide: DataSource,
          // Each slot commits at most one verdict at a time; two more for health checks and hand-offs.
          useFactory: () =>
            createDataSource({
              url: config.databaseUrl,
              poolSize: config.slots + 2,
              applicationName: `koodi-grader ${config.graderId}`.slice(0, 63),
            }).initialize(),
        },
        {
          provide: SUBMISSION_STORE,
          useFactory: (dataSource: DataSource) => {
            const real = new SubmissionRepository(dataSource);
            return overrides.submissions ? overrides.submissions(real) : real;
          },
          inject: [DataSource],
        },
        {
          provide: AssignmentTestsCache,
          useFactory: (dataSource: DataSource) => {
            const real = new AssignmentRepository(dataSource);
            return new AssignmentTestsCache(
              overrides.assignments ? overrides.assignments(real) : real,
            );
          },
          inject: [DataSource],
        },
        {
          provide: REDIS_PUBLISHER,
          // Few retries per command: an event that cannot go out should not hold a slot for long.
          useFactory: () =>
            createRedis(
              config.redisUrl,
              { lazyConnect: false, maxRetriesPerRequest: 2 },
              `grader-events-${config.graderId}`,
            ),
        },
        {
          provide: SubmissionEventsPublisher,
          useFactory: (redis: RedisClient) => new RedisSubmissionEventsPublisher(redis),
          inject: [REDIS_PUBLISHER],
        },
        {
          provide: SANDBOX,
          useFactory: (): SandboxRunner =>
            overrides.sandbox ??
            new SandboxPool({
              slots: config.slots,
              bwrapPath: config.sandboxBwrap,
              pythonPath: config.sandboxPython,
              logger: new Logger(SandboxPool.name),
            }),
        },
        {
          provide: RUN_SANDBOX,
          useFactory: (graded: SandboxRunner): SandboxRunner | null =>
            config.runSlots === 0
              ? null
              : (overrides.runSandbox ??
                (overrides.sandbox
                  ? graded
                  : new SandboxPool({
                      slots: config.runSlots,
                      bwrapPath: config.sandboxBwrap,
                      pythonPath: config.sandboxPython,
                      logger: new Logger('RunSandboxPool'),
                      // Pinned, a Run would share its CPU with the grading slot pinned there and
                      // wait behind a busy one; unpinned it takes whichever CPU is free first.
                      pinCpus: false,
                    }))),
          inject: [SANDBOX],
        },
        { provide: RUN_LANE_CONSUMER, useValue: consumerId },
        RunService,
        RunLaneServer,
        { provide: RETRY_POLICY, useValue: overrides.retryPolicy ?? DATABASE_RETRY },
        GraderMetrics,
        GradingService,
        HealthService,
        {
          provide: OPS_SERVER_OPTIONS,
          useFactory: (metrics: GraderMetrics, health: HealthService): OpsServerOptions => ({
            host: config.opsHost,
            port: config.opsPort,
            registry: metrics.registry,
            ready: () => health.check(),
          }),
          inject: [GraderMetrics, HealthService],
        },
        OpsServer,
        GraderResources,
      ],
    };
  }
}
