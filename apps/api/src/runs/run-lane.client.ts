import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { lastValueFrom, timeout } from 'rxjs';
import { MAX_LIMITS, RUN_CODE, type RunCodeJob, type RunResult } from '@koodi/contracts';
import { QueueInspector, RedisListClient, type RedisClient } from '@koodi/queue';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { REDIS } from '../infra/infra.providers';

/** What the Run service needs of the lane; a fake stands in for it in unit specs. */
export interface RunLanePort {
  /** The grader's answer, or a rejection when none came within `timeoutMs` or the grader failed. */
  run(job: RunCodeJob, timeoutMs: number): Promise<RunResult>;
  /** Whether any grader holds a lease on the lane now (looked up at most once a second). */
  hasConsumers(): Promise<boolean>;
}

/** How long a "no grader is taking runs" answer is believed before Redis is asked again. */
const CONSUMERS_TTL_MS = 1_000;

/**
 * The Run lane's client end: `send()` over the Redis-list transport on RUN_QUEUE, the answer on
 * this replica's reply list. Connections of its own (the reply list is read by a blocking pop).
 */
@Injectable()
export class RunLane implements RunLanePort, OnModuleDestroy {
  private readonly client: RedisListClient;
  private readonly inspector: QueueInspector;
  private consumers: { at: number; any: Promise<boolean> } | null = null;

  constructor(@Inject(API_CONFIG) config: ApiConfig, @Inject(REDIS) redis: RedisClient) {
    this.client = new RedisListClient({
      redisUrl: config.redisUrl,
      queue: config.runQueue,
      // The per-run timeout below is the one that answers; this only bounds a lost reply.
      sendTimeoutMs: MAX_LIMITS.wallSeconds * 1000 + config.runTimeoutGraceMs,
    });
    this.inspector = new QueueInspector(redis, config.runQueue);
  }

  run(job: RunCodeJob, timeoutMs: number): Promise<RunResult> {
    return lastValueFrom(
      this.client.send<RunResult, RunCodeJob>(RUN_CODE, job).pipe(timeout(timeoutMs)),
    );
  }

  hasConsumers(now = Date.now()): Promise<boolean> {
    if (!this.consumers || now - this.consumers.at > CONSUMERS_TTL_MS) {
      const any = this.inspector.liveConsumers().then(
        (ids) => ids.length > 0,
        // Redis unreachable: let the run try, the timeout still bounds it.
        () => true,
      );
      this.consumers = { at: now, any };
    }
    return this.consumers.any;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}

export const RUN_LANE = Symbol('RUN_LANE');
