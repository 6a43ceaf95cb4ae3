import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type ChangedSubmission, SubmissionRepository } from '@koodi/db';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { publishGraded } from '../events/publish-submission-events';
import { REDIS } from '../infra/infra.providers';
import { Metrics } from '../ops/metrics.service';
import { GradingQueue, type GradingQueuePort } from '../submissions/grading-queue.service';
import type { RedisClient } from '@koodi/queue';
import { gaveUpVerdict, shouldGiveUp } from '@koodi/server';

export interface ReconcileReport {
  requeued: number;
  failed: number;
  joined: number;
}

/**
 * Re-queues submissions left queued or grading past a deadline whose job is nowhere in Redis
 * (a Redis restart loses the queue), and ends those past MAX_GRADING_ATTEMPTS as `error`.
 * Every replica runs the timer; a Redis lock lets one of them work per round.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Reconciler.name);
  private readonly token = randomUUID();
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly submissions: SubmissionRepository,
    @Inject(GradingQueue) private readonly queue: GradingQueuePort,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.reconcileIntervalSeconds;
    if (seconds === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((error) => this.logger.warn(`reconcile failed: ${String(error)}`))
        .finally(() => (this.running = undefined));
    }, seconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    const lockKey = `${this.config.gradingQueue}:reconciler:lock`;
    const ttl = Math.max(1000, this.config.reconcileIntervalSeconds * 1000 - 500);
    if ((await this.redis.set(lockKey, this.token, 'PX', ttl, 'NX')) !== 'OK') return;
    const report = await this.runOnce();
    if (report.requeued || report.failed || report.joined)
      this.logger.log(`reconciled ${JSON.stringify(report)}`);
  }

  /** One pass, counted in the metrics; `assignmentIds` narrows it (tests share a database with others). */
  async runOnce(assignmentIds?: string[]): Promise<ReconcileReport> {
    const report = await this.reconcile(assignmentIds);
    this.metrics.reconciled(report);
    return report;
  }

  private async reconcile(assignmentIds?: string[]): Promise<ReconcileReport> {
    const report: ReconcileReport = { requeued: 0, failed: 0, joined: 0 };
    if (!assignmentIds) {
      const joined = await this.submissions.finalizeJoined();
      report.joined = joined.length;
      await this.publish(joined);
    }
    const cutoff = new Date(Date.now() - this.config.reconcileAfterSeconds * 1000);
    const stale = await this.submissions.findStaleInFlight(cutoff, 200, assignmentIds);
    if (stale.length === 0) return report;
    const pending = await this.queue.pendingIds();
    for (const row of stale) {
      if (pending.has(row.id)) continue;
      if (row.duplicateOf) {
        const changed = await this.submissions.finalizeJoined(row.id);
        report.joined += changed.length;
        await this.publish(changed);
        // Its source still in flight: the source is reconciled on its own.
        continue;
      }
      if (row.status === 'grading' && row.startedAt && row.startedAt > cutoff) continue;
      if (shouldGiveUp(row.attempts, 'lost')) {
        const changed = await this.submissions.commitVerdict(row.id, gaveUpVerdict());
        report.failed += changed.length ? 1 : 0;
        await this.publish(changed);
        continue;
      }
      await this.queue.enqueue(row.id);
      report.requeued++;
    }
    return report;
  }

  private publish(changed: ChangedSubmission[]): Promise<void> {
    return publishGraded(this.redis, changed);
  }
}
