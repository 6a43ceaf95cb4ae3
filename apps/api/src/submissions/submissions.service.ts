import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  isFinalStatus,
  isUuid,
  type SubmissionHistoryItem,
  type SubmissionView,
  type SubmissionWithCode,
} from '@koodi/contracts';
import {
  isUniqueViolation,
  ONE_IN_FLIGHT_PER_USER,
  ONE_PER_IDEMPOTENCY_KEY,
  type SubmissionEntity,
  SubmissionRepository,
} from '@koodi/db';
import { AssignmentsService } from '../assignments/assignments.service';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { publishGraded } from '../events/publish-submission-events';
import { ApiError } from '../http/api-error';
import type { Identity } from '../identity/identity';
import { REDIS } from '../infra/infra.providers';
import { GradingQueue, type GradingQueuePort } from './grading-queue.service';
import { RateLimiter } from './rate-limiter.service';
import type { SubmitInput } from './submission-input';
import { toHistoryItem, toSubmissionView } from './submission-view';
import type { RedisClient } from '@koodi/queue';

/**
 * What a submit came to: `final` when the verdict is known at once (identical code graded
 * before, or a retried request whose verdict is in), `pending` when queued or grading.
 */
export type SubmitResult = { kind: 'final' | 'pending'; view: SubmissionView };

const isForeignKeyViolation = (error: unknown): boolean =>
  ((error as { driverError?: { code?: string } }).driverError ?? (error as { code?: string }))
    .code === '23503';

@Injectable()
export class SubmissionsService {
  private readonly logger = new Logger(SubmissionsService.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly submissions: SubmissionRepository,
    private readonly assignments: AssignmentsService,
    private readonly rateLimiter: RateLimiter,
    @Inject(GradingQueue) private readonly queue: GradingQueuePort,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * docs/ARCHITECTURE.md "The grading path", step 1: reuse a final student verdict at once;
   * join an identical submission in flight (no job); otherwise write the row, then queue its id.
   * A failed push leaves the row queued for the reconciler. The student is created only once
   * the request is known to be worth a row.
   */
  async submit(
    identity: Identity,
    assignmentIdOrSlug: string,
    input: SubmitInput,
  ): Promise<SubmitResult> {
    const { code, idempotencyKey } = input;
    identity.checkAddress();
    const assignment = (await this.assignments.find(assignmentIdOrSlug)).data;
    let userId = await identity.ensure();

    const rate = await this.rateLimiter.hit(
      `submissions:${userId}`,
      this.config.rateLimitSubmissionsPerMinute,
    );
    if (!rate.allowed) {
      throw new ApiError(
        429,
        'rate_limited',
        `Too many submissions; try again in ${rate.retryAfterSeconds} s.`,
        { retryAfterSeconds: rate.retryAfterSeconds },
        { 'retry-after': String(rate.retryAfterSeconds) },
      );
    }
    if (idempotencyKey) {
      const earlier = await this.submissions.findByIdempotencyKey(userId, idempotencyKey);
      if (earlier) return this.resultFor(earlier);
    }

    const submission = {
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
      userId,
      code,
      codeSha256: createHash('sha256').update(code).digest('hex'),
      idempotencyKey,
    };
    let row: SubmissionEntity;
    try {
      row = await this.submissions.insertDeduped(submission);
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        // The cookie names a user the database no longer has (e.g. a reset): start afresh.
        userId = await identity.renew();
        row = await this.insertOrExplain({ ...submission, userId }, idempotencyKey);
      } else {
        row = await this.explainConflict(error, userId, idempotencyKey);
      }
    }
    return this.afterInsert(row);
  }

  private async insertOrExplain(
    submission: Parameters<SubmissionRepository['insertDeduped']>[0],
    idempotencyKey: string | null,
  ): Promise<SubmissionEntity> {
    try {
      return await this.submissions.insertDeduped(submission);
    } catch (error) {
      return this.explainConflict(error, submission.userId, idempotencyKey);
    }
  }

  /** A unique violation means a retried request (same key) or a submission already in flight. */
  private async explainConflict(
    error: unknown,
    userId: string,
    idempotencyKey: string | null,
  ): Promise<SubmissionEntity> {
    if (idempotencyKey && isUniqueViolation(error, ONE_PER_IDEMPOTENCY_KEY)) {
      const earlier = await this.submissions.findByIdempotencyKey(userId, idempotencyKey);
      if (earlier) return earlier;
    }
    if (isUniqueViolation(error, ONE_IN_FLIGHT_PER_USER)) {
      if (idempotencyKey) {
        const earlier = await this.submissions.findByIdempotencyKey(userId, idempotencyKey);
        if (earlier) return earlier;
      }
      const inFlight = await this.submissions.findInFlightForUser(userId);
      throw new ApiError(
        409,
        'submission_in_flight',
        'You already have a submission being graded; wait for its result before submitting again.',
        { submissionId: inFlight?.id ?? null },
      );
    }
    throw error;
  }

  private async afterInsert(row: SubmissionEntity): Promise<SubmitResult> {
    if (isFinalStatus(row.status)) {
      // A verdict reused at once: announced as the grader would, for open streams and pages.
      await publishGraded(this.redis, [
        { id: row.id, userId: row.userId, status: row.status },
      ]).catch(() => undefined);
      return { kind: 'final', view: toSubmissionView(row, null) };
    }
    if (row.duplicateOf) {
      // Joined an identical submission in flight: its verdict will be ours, no job of our own.
      const [changed] = await this.submissions.finalizeJoined(row.id);
      if (changed) return this.resultFor((await this.submissions.findById(row.id))!);
      return {
        kind: 'pending',
        view: toSubmissionView(row, await this.safePosition(row.duplicateOf)),
      };
    }
    let position: number | null = null;
    try {
      position = await this.queue.enqueue(row.id);
    } catch (error) {
      this.logger.warn(`could not queue ${row.id}; the reconciler will: ${String(error)}`);
    }
    return { kind: 'pending', view: toSubmissionView(row, position) };
  }

  /** An existing row as a submit's result: a retried request, or a join that found its verdict. */
  private async resultFor(row: SubmissionEntity): Promise<SubmitResult> {
    return { kind: isFinalStatus(row.status) ? 'final' : 'pending', view: await this.view(row) };
  }

  /**
   * Owner only: anyone else gets the same 404 as for an id that does not exist. The one answer
   * that carries the submitted code (not the history list, not the event stream).
   */
  async get(userId: string | null, id: string): Promise<SubmissionWithCode> {
    const row = await this.findOwned(userId, id);
    return { ...(await this.view(row)), code: row.code };
  }

  async findOwned(userId: string | null, id: string): Promise<SubmissionEntity> {
    const row =
      userId && isUuid(id) ? await this.submissions.findOwned(id.toLowerCase(), userId) : null;
    if (!row) throw ApiError.notFound('The submission');
    return row;
  }

  /** What the owner sees of a row, with its place in the queue while queued. */
  async view(row: SubmissionEntity): Promise<SubmissionView> {
    const position =
      row.status === 'queued' ? await this.safePosition(row.duplicateOf ?? row.id) : null;
    return toSubmissionView(row, position);
  }

  async history(
    userId: string | null,
    assignmentIdOrSlug: string,
  ): Promise<SubmissionHistoryItem[]> {
    const assignment = (await this.assignments.find(assignmentIdOrSlug)).data;
    const rows = userId ? await this.submissions.historyFor(userId, assignment.id) : [];
    return rows.map(toHistoryItem);
  }

  private async safePosition(id: string): Promise<number | null> {
    try {
      return await this.queue.positionOf(id);
    } catch {
      return null;
    }
  }
}
