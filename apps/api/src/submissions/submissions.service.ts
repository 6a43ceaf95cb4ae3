import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  isFinalStatus,
  isUuid,
  MAX_CODE_BYTES,
  type SubmissionView,
  submitCodeRequestSchema,
} from '@koodi/contracts';
import {
  isUniqueViolation,
  ONE_IN_FLIGHT_PER_USER,
  ONE_PER_IDEMPOTENCY_KEY,
  type SubmissionEntity,
  SubmissionRepository,
} from '@koodi/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AssignmentsService } from '../assignments/assignments.service';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { publishGraded } from '../events/publish-submission-events';
import { ApiError } from '../http/api-error';
import { type HttpAnswer, privateJson } from '../http/http-answer';
import { AddressGuard } from '../identity/address-guard.service';
import { IdentityService } from '../identity/identity.service';
import { REDIS } from '../infra/infra.providers';
import { SolvedCache } from '../me/solved-cache.service';
import { GradingQueue, type GradingQueuePort } from './grading-queue.service';
import { RateLimiter } from './rate-limiter.service';
import { toHistoryItem, toSubmissionView } from './submission-view';
import type { RedisClient } from '@koodi/queue';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const isForeignKeyViolation = (error: unknown): boolean =>
  ((error as { driverError?: { code?: string } }).driverError ?? (error as { code?: string })).code === '23503';

@Injectable()
export class SubmissionsService {
  private readonly logger = new Logger(SubmissionsService.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly submissions: SubmissionRepository,
    private readonly assignments: AssignmentsService,
    private readonly identity: IdentityService,
    private readonly addressGuard: AddressGuard,
    private readonly rateLimiter: RateLimiter,
    @Inject(GradingQueue) private readonly queue: GradingQueuePort,
    private readonly solvedCache: SolvedCache,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /**
   * docs/ARCHITECTURE.md "The grading path", step 1: validate; reuse a final student verdict at once (200);
   * join an identical submission in flight (202, no job); otherwise write the row, then queue
   * its id (202). A failed push leaves the row queued for the reconciler.
   */
  async submit(assignmentIdOrSlug: string, body: unknown, request: FastifyRequest, reply: FastifyReply): Promise<HttpAnswer> {
    const code = parseCode(body);
    const idempotencyKey = parseIdempotencyKey(request.headers['idempotency-key']);
    this.addressGuard.check(request);
    const assignment = (await this.assignments.find(assignmentIdOrSlug)).data;
    let userId = await this.identity.ensure(request, reply, true);

    const rate = await this.rateLimiter.hit(`submissions:${userId}`, this.config.rateLimitSubmissionsPerMinute);
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
      if (earlier) return this.answerFor(earlier);
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
        userId = await this.identity.create(request, reply, true);
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
  private async explainConflict(error: unknown, userId: string, idempotencyKey: string | null): Promise<SubmissionEntity> {
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

  private async afterInsert(row: SubmissionEntity): Promise<HttpAnswer> {
    if (isFinalStatus(row.status)) {
      // A verdict reused at once: other replicas learn of it (solved flags) as from the grader.
      this.solvedCache.invalidate(row.userId);
      await publishGraded(this.redis, [{ id: row.id, userId: row.userId, status: row.status }]).catch(() => undefined);
      return privateJson(200, toSubmissionView(row, null));
    }
    if (row.duplicateOf) {
      // Joined an identical submission in flight: its verdict will be ours, no job of our own.
      const [changed] = await this.submissions.finalizeJoined(row.id);
      if (changed) return this.answerFor((await this.submissions.findById(row.id))!);
      return privateJson(202, toSubmissionView(row, await this.safePosition(row.duplicateOf)));
    }
    let position: number | null = null;
    try {
      position = await this.queue.enqueue(row.id);
    } catch (error) {
      this.logger.warn(`could not queue ${row.id}; the reconciler will: ${String(error)}`);
    }
    return privateJson(202, toSubmissionView(row, position));
  }

  private async answerFor(row: SubmissionEntity): Promise<HttpAnswer> {
    return privateJson(isFinalStatus(row.status) ? 200 : 202, await this.view(row));
  }

  /** Owner only: anyone else gets the same 404 as for an id that does not exist. */
  async get(id: string, request: FastifyRequest): Promise<HttpAnswer> {
    return privateJson(200, await this.view(await this.findOwned(id, request)));
  }

  async findOwned(id: string, request: FastifyRequest): Promise<SubmissionEntity> {
    const userId = this.identity.current(request);
    const row = userId && isUuid(id) ? await this.submissions.findOwned(id.toLowerCase(), userId) : null;
    if (!row) throw ApiError.notFound('The submission');
    return row;
  }

  async view(row: SubmissionEntity): Promise<SubmissionView> {
    if (row.status === 'passed') this.solvedCache.invalidate(row.userId);
    const position = row.status === 'queued' ? await this.safePosition(row.duplicateOf ?? row.id) : null;
    return toSubmissionView(row, position);
  }

  async history(assignmentIdOrSlug: string, request: FastifyRequest): Promise<HttpAnswer> {
    const assignment = (await this.assignments.find(assignmentIdOrSlug)).data;
    const userId = this.identity.current(request);
    const rows = userId ? await this.submissions.historyFor(userId, assignment.id) : [];
    return privateJson(200, rows.map(toHistoryItem));
  }

  private async safePosition(id: string): Promise<number | null> {
    try {
      return await this.queue.positionOf(id);
    } catch {
      return null;
    }
  }
}

/** The code of a POST body, or a 400/413 saying exactly what is wrong with it. */
export function parseCode(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.badRequest('invalid_body', 'The body must be a JSON object like {"code": "..."}.');
  }
  const code = (body as { code?: unknown }).code;
  if (typeof code === 'string' && Buffer.byteLength(code, 'utf8') > MAX_CODE_BYTES) {
    throw new ApiError(413, 'code_too_large', `The code is larger than ${MAX_CODE_BYTES / 1024} KB.`);
  }
  const parsed = submitCodeRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const message = code === undefined ? 'code is required' : (issue?.message ?? 'invalid code');
    throw ApiError.badRequest('invalid_submission', `${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
  }
  return parsed.data.code;
}

function parseIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw ApiError.badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 visible ASCII characters.');
  }
  return header;
}
