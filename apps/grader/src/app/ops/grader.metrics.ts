import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Verdict } from '@koodi/contracts';
import type { SandboxStats } from '../sandbox/sandbox.port';

export type SkipReason = 'already_final' | 'malformed_job';

/** The grader's Prometheus metrics, in a registry of its own (served on OPS_PORT). */
@Injectable()
export class GraderMetrics {
  readonly registry = new Registry();

  private readonly jobs = new Counter({
    name: 'koodi_grader_jobs_total',
    help: 'Grading jobs that committed a verdict, by verdict.',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });

  private readonly skipped = new Counter({
    name: 'koodi_grader_jobs_skipped_total',
    help: 'Jobs acknowledged without grading (a redelivery of a finished submission, or a malformed job).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly duration = new Histogram({
    name: 'koodi_grader_grading_duration_seconds',
    help: 'Time in the sandbox per job.',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [this.registry],
  });

  private readonly busy = new Gauge({
    name: 'koodi_grader_sandbox_slots_busy',
    help: 'Sandbox slots running a job right now.',
    registers: [this.registry],
  });

  private readonly slots = new Gauge({
    name: 'koodi_grader_sandbox_slots',
    help: 'Sandbox slots of this grader.',
    registers: [this.registry],
  });

  private readonly failures = new Counter({
    name: 'koodi_grader_sandbox_failures_total',
    help: 'Sandbox runs that failed on our side (retried), by error name.',
    labelNames: ['error'] as const,
    registers: [this.registry],
  });

  private readonly dbRetries = new Counter({
    name: 'koodi_grader_db_retries_total',
    help: 'Database writes retried after a transient failure.',
    registers: [this.registry],
  });

  private readonly publishFailures = new Counter({
    name: 'koodi_grader_event_publish_failures_total',
    help: 'Submission events that could not be published (clients fall back to polling).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'koodi_grader_' });
  }

  setSlots(count: number): void {
    this.slots.set(count);
  }

  /** Exposes the pool's own counters, read at scrape time. */
  watchSandbox(stats: () => SandboxStats): void {
    const gauge = (name: string, help: string, pick: (s: SandboxStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(pick(stats()));
        },
      });
    gauge(
      'koodi_grader_sandbox_restarts',
      'Sandboxes restarted after their zygote died, since start.',
      (s) => s.restarts,
    );
    gauge(
      'koodi_grader_sandbox_retired',
      'Sandboxes replaced because a job changed their zygote (its self-check failed), since start.',
      (s) => s.retired ?? 0,
    );
    gauge('koodi_grader_sandbox_ready', 'Sandbox slots alive and idle.', (s) => s.ready);
    gauge(
      'koodi_grader_sandbox_waiting_jobs',
      'Jobs waiting for a free sandbox slot.',
      (s) => s.queued,
    );
  }

  jobGraded(verdict: Verdict): void {
    this.jobs.inc({ verdict });
  }

  jobSkipped(reason: SkipReason): void {
    this.skipped.inc({ reason });
  }

  /** Counts a slot busy until the returned function is called, and records the time. */
  sandboxStarted(): () => void {
    this.busy.inc();
    const stopTimer = this.duration.startTimer();
    return () => {
      stopTimer();
      this.busy.dec();
    };
  }

  sandboxFailed(error: unknown): void {
    this.failures.inc({ error: error instanceof Error ? error.name : 'unknown' });
  }

  dbRetried(): void {
    this.dbRetries.inc();
  }

  publishFailed(): void {
    this.publishFailures.inc();
  }

  /** A counter's current value, for tests and the benchmark. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = await this.registry.getSingleMetric(name)?.get();
    const match = metric?.values.find((v) =>
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
    );
    return match?.value ?? 0;
  }
}
