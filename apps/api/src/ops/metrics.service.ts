import { Inject, Injectable } from '@nestjs/common';
import { SubmissionRepository } from '@koodi/db';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { GradingQueue, type GradingQueuePort } from '../submissions/grading-queue.service';

/** Prometheus metrics of one replica, served on the ops port. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
  private readonly reconciledSubmissions: Counter<'outcome'>;
  private readonly reconcilerRuns: Counter;

  constructor(submissions: SubmissionRepository, @Inject(GradingQueue) queue: GradingQueuePort) {
    collectDefaultMetrics({ register: this.registry, prefix: 'koodi_api_' });
    this.requestSeconds = new Histogram({
      name: 'koodi_api_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    // One replica per round holds the reconciler's lock, so these sum across replicas.
    this.reconciledSubmissions = new Counter({
      name: 'koodi_api_reconciled_submissions_total',
      help: 'Submissions the reconciler acted on: requeued (job lost), gave_up (past the attempts), joined (duplicate finalized)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of ['requeued', 'gave_up', 'joined'])
      this.reconciledSubmissions.inc({ outcome }, 0);
    this.reconcilerRuns = new Counter({
      name: 'koodi_api_reconciler_runs_total',
      help: 'Reconciler rounds this replica ran',
      registers: [this.registry],
    });
    // The gauges below are read from Postgres and Redis when scraped: every replica reports
    // the same cluster-wide figures, so aggregate them with max(), not sum().
    new Gauge({
      name: 'koodi_submissions',
      help: 'Submissions by status (cluster-wide)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await submissions.countByStatus();
        this.reset();
        for (const status of ['queued', 'grading', 'passed', 'failed', 'error'])
          this.set({ status }, counts[status] ?? 0);
      },
    });
    new Gauge({
      name: 'koodi_grading_queue_depth',
      help: 'Grading jobs waiting in the queue',
      registers: [this.registry],
      async collect() {
        this.set(await queue.length());
      },
    });
    new Gauge({
      name: 'koodi_grading_queue_oldest_age_seconds',
      help: 'Age of the job taken next (0 when the queue is empty)',
      registers: [this.registry],
      async collect() {
        this.set(((await queue.oldestAgeMs()) ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'koodi_grading_latency_seconds',
      help: 'Created → graded over the last 5 minutes, by quantile (cluster-wide)',
      labelNames: ['quantile'],
      registers: [this.registry],
      async collect() {
        const latency = await submissions.gradingLatencySeconds(300);
        this.reset();
        for (const [quantile, value] of [
          ['0.5', latency.p50],
          ['0.9', latency.p90],
          ['0.99', latency.p99],
        ] as const) {
          if (value !== null) this.set({ quantile }, value);
        }
      },
    });
    new Gauge({
      name: 'koodi_graded_last_5m',
      help: 'Submissions graded in the last 5 minutes (cluster-wide)',
      registers: [this.registry],
      async collect() {
        this.set((await submissions.gradingLatencySeconds(300)).count);
      },
    });
  }

  reconciled(report: { requeued: number; failed: number; joined: number }): void {
    this.reconcilerRuns.inc();
    this.reconciledSubmissions.inc({ outcome: 'requeued' }, report.requeued);
    this.reconciledSubmissions.inc({ outcome: 'gave_up' }, report.failed);
    this.reconciledSubmissions.inc({ outcome: 'joined' }, report.joined);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestSeconds.observe({ method, route, status: String(status) }, seconds);
  }
}
