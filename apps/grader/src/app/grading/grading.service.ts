import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  isUuid,
  resolveLimits,
  SUBMISSION_GRADED,
  SUBMISSION_GRADING,
  type GradeSubmissionJob,
  type SubmissionEvent,
} from '@koodi/contracts';
import type { ChangedSubmission, SubmissionRepository, VerdictToCommit } from '@koodi/db';
import { gaveUpVerdict, shouldGiveUp, SubmissionEventsPublisher } from '@koodi/server';
import { GraderMetrics } from '../ops/grader.metrics';
import { SANDBOX, type SandboxOutcome, type SandboxRunner } from '../sandbox/sandbox.port';
import { AssignmentTestsCache } from './assignment-tests.cache';
import { RETRY_POLICY, retryTransient, type RetryPolicy } from './transient-retry';

export type SubmissionStore = Pick<SubmissionRepository, 'claimForGrading' | 'commitVerdict'>;
export const SUBMISSION_STORE = Symbol('SUBMISSION_STORE');

/**
 * Grades one submission per job. Delivery is at least once, so every step tolerates a repeat:
 * a finished submission is acknowledged untouched, and the verdict is written only while the
 * row is still in flight.
 */
@Injectable()
export class GradingService {
  private readonly logger = new Logger(GradingService.name);

  constructor(
    @Inject(SUBMISSION_STORE) private readonly submissions: SubmissionStore,
    private readonly tests: AssignmentTestsCache,
    @Inject(SANDBOX) private readonly sandbox: SandboxRunner,
    private readonly events: SubmissionEventsPublisher,
    private readonly metrics: GraderMetrics,
    @Inject(RETRY_POLICY) private readonly retry: RetryPolicy,
  ) {}

  /**
   * Resolves once the verdict is committed (or there was nothing to do); rejects when the job
   * should be delivered again, e.g. the sandbox failed on our side.
   */
  async grade(job: GradeSubmissionJob): Promise<void> {
    const id = submissionIdOf(job);
    if (!id) {
      this.logger.warn(`Dropping a malformed grading job: ${safeJson(job)}`);
      this.metrics.jobSkipped('malformed_job');
      return;
    }
    const submission = await this.database('Claiming', id, () =>
      this.submissions.claimForGrading(id),
    );
    if (!submission) {
      this.metrics.jobSkipped('already_final');
      return;
    }
    // Not awaited: the connection keeps it ahead of the graded event, and a slot need not wait.
    void this.publish([{ id, userId: submission.userId, status: 'grading' }], SUBMISSION_GRADING);

    if (shouldGiveUp(submission.attempts, 'in-hand')) {
      this.logger.warn({
        submissionId: id,
        msg: `Submission ${id} was started ${submission.attempts} times; giving up`,
      });
      await this.finish(id, gaveUpVerdict());
      return;
    }

    const assignment = await this.database('Loading the tests of', id, () =>
      this.tests.get(submission.assignmentId, submission.assignmentVersion),
    );
    if (!assignment)
      throw new Error(`Assignment ${submission.assignmentId} of submission ${id} not found`);

    const outcome = await this.runSandbox(id, () =>
      this.sandbox.run({
        ...(assignment.kind === 'program' ? { kind: 'program' as const } : {}),
        code: submission.code,
        moduleName: assignment.moduleName,
        testCode: assignment.testCode,
        limits: resolveLimits(assignment.limits),
      }),
    );
    await this.finish(id, {
      verdict: outcome.verdict,
      feedback: outcome.feedback,
      gradingMs: outcome.durationMs,
      slotIntact: outcome.slotIntact !== false,
    });
    if (outcome.slotIntact === false) {
      this.logger.warn(
        `Submission ${id} changed its sandbox; its verdict is kept from every other submission`,
      );
    }
  }

  /** The queue gave up on a job: the submission ends as our error, which costs the student nothing. */
  async giveUp(job: GradeSubmissionJob, reason?: unknown): Promise<void> {
    const id = submissionIdOf(job);
    if (!id) return;
    this.logger.error({
      submissionId: id,
      msg: `Giving up on submission ${id}: ${describe(reason)}`,
    });
    await this.finish(id, gaveUpVerdict());
  }

  private async runSandbox(
    id: string,
    run: () => Promise<SandboxOutcome>,
  ): Promise<SandboxOutcome> {
    const done = this.metrics.sandboxStarted();
    try {
      return await run();
    } catch (error) {
      this.metrics.sandboxFailed(error);
      this.logger.warn({
        submissionId: id,
        msg: `Sandbox failed (the job will be retried): ${describe(error)}`,
      });
      throw error;
    } finally {
      done();
    }
  }

  /** Commits without running anything again: the sandbox's answer is kept while the database recovers. */
  private async finish(id: string, result: VerdictToCommit): Promise<void> {
    const changed = await this.database('Writing the verdict of', id, () =>
      this.submissions.commitVerdict(id, result),
    );
    if (changed.length > 0) this.metrics.jobGraded(result.verdict);
    await this.publish(changed, SUBMISSION_GRADED);
  }

  /**
   * Database work retried through a brief outage, so a restart of Postgres neither burns the
   * job's attempts nor, for the verdict, runs the sandbox again.
   */
  private database<T>(what: string, id: string, work: () => Promise<T>): Promise<T> {
    return retryTransient(work, this.retry, (error, attempt, delayMs) => {
      this.metrics.dbRetried();
      this.logger.warn({
        submissionId: id,
        msg: `${what} ${id} failed (try ${attempt}), retrying in ${delayMs} ms: ${describe(error)}`,
      });
    });
  }

  /** Best effort: the row is the truth and clients fall back to polling it. */
  private async publish(rows: ChangedSubmission[], event: SubmissionEvent['event']): Promise<void> {
    for (const row of rows) {
      try {
        await this.events.publish({
          event,
          submissionId: row.id,
          userId: row.userId,
          status: row.status,
        });
      } catch (error) {
        this.metrics.publishFailed();
        this.logger.warn({
          submissionId: row.id,
          msg: `Publishing ${event} for ${row.id} failed: ${describe(error)}`,
        });
      }
    }
  }
}

function submissionIdOf(job: unknown): string | null {
  const id = (job as Partial<GradeSubmissionJob> | null)?.submissionId;
  return isUuid(id) ? id : null;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String(error.message);
  return String(error);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
