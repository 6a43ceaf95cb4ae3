import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { RUN_CODE, type RunCodeJob } from '@koodi/contracts';
import { RedisListServer } from '@koodi/queue';
import { GRADER_CONFIG, type GraderConfig } from '../config/grader.config';
import { RunService } from './run.service';

export const RUN_LANE_CONSUMER = Symbol('RUN_LANE_CONSUMER');

/**
 * The Run lane: a second Redis-list server on RUN_QUEUE, beside the one the microservice takes
 * graded jobs with, and as many at once as there are Run sandboxes. Runs are request-response
 * (the server answers on the caller's reply list) and run at most once: a run whose grader
 * died is answered by the API's timeout, not by running it again.
 */
@Injectable()
export class RunLaneServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RunLaneServer.name);
  private server: RedisListServer | null = null;

  constructor(
    @Inject(GRADER_CONFIG) private readonly config: GraderConfig,
    @Inject(RUN_LANE_CONSUMER) private readonly consumerId: string,
    private readonly runs: RunService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.runSlots === 0) return;
    const server = new RedisListServer({
      redisUrl: this.config.redisUrl,
      queue: this.config.runQueue,
      consumerId: this.consumerId,
      concurrency: this.config.runSlots,
      heartbeatTtlMs: this.config.heartbeatTtlMs,
      // A second delivery (its first grader died) is past its deadline by then and answered so.
      maxAttempts: 2,
      shutdownTimeoutMs: this.config.shutdownGraceSeconds * 1000,
    });
    server.addHandler(RUN_CODE, (job: RunCodeJob) => this.runs.run(job), false);
    await new Promise<void>((resolve, reject) => {
      server.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
    });
    this.server = server;
    this.logger.log(
      `Taking runs from ${this.config.runQueue} with ${this.config.runSlots} sandbox slot(s)`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.close();
  }
}
