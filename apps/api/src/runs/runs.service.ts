import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RunCodeJob, RunResult, RunView } from '@koodi/contracts';
import { AssignmentsService } from '../assignments/assignments.service';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { ApiError } from '../http/api-error';
import type { Identity } from '../identity/identity';
import { RateLimiter } from '../submissions/rate-limiter.service';
import type { RunInput } from './run-input';
import { RUN_LANE, type RunLanePort } from './run-lane.client';

/** Seconds a student is asked to wait before trying a Run again when no grader answered. */
export const RUN_RETRY_AFTER_SECONDS = 5;

/**
 * Run: the student's code against the assignment's visible samples, answered in the same
 * request. Not a submission: nothing is written to PostgreSQL, no points, no history; a rate
 * limit of its own.
 */
@Injectable()
export class RunsService {
  private readonly logger = new Logger(RunsService.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly assignments: AssignmentsService,
    private readonly rateLimiter: RateLimiter,
    @Inject(RUN_LANE) private readonly lane: RunLanePort,
  ) {}

  async run(identity: Identity, assignmentIdOrSlug: string, input: RunInput): Promise<RunView> {
    identity.checkAddress();
    const assignment = (await this.assignments.find(assignmentIdOrSlug)).data;
    const userId = await identity.ensure();
    const rate = await this.rateLimiter.hit(`runs:${userId}`, this.config.rateLimitRunsPerMinute);
    if (!rate.allowed) {
      throw new ApiError(
        429,
        'rate_limited',
        `Too many runs; try again in ${rate.retryAfterSeconds} s.`,
        { retryAfterSeconds: rate.retryAfterSeconds },
        { 'retry-after': String(rate.retryAfterSeconds) },
      );
    }
    if (!(await this.lane.hasConsumers())) throw this.unavailable('no grader is taking runs');

    const timeoutMs = assignment.limits.wallSeconds * 1000 + this.config.runTimeoutGraceMs;
    const job: RunCodeJob = {
      kind: assignment.kind,
      code: input.code,
      stdin: input.stdin,
      moduleName: assignment.moduleName,
      testCode: assignment.sampleTests,
      limits: assignment.limits,
      deadline: Date.now() + timeoutMs,
    };
    let result: RunResult;
    try {
      result = await this.lane.run(job, timeoutMs);
    } catch (error) {
      throw this.unavailable(describe(error));
    }
    // Ours, not the student's (e.g. the assignment's samples are broken): no answer to show.
    if (result.verdict === 'internal_error') throw this.unavailable(result.feedback.summary);
    return toRunView(result);
  }

  private unavailable(reason: string): ApiError {
    this.logger.warn(`Run answered 503: ${reason}`);
    return unavailable();
  }
}

function unavailable(): ApiError {
  return new ApiError(
    503,
    'run_unavailable',
    `Your code could not be run just now; try again in ${RUN_RETRY_AFTER_SECONDS} s.`,
    { retryAfterSeconds: RUN_RETRY_AFTER_SECONDS },
    { 'retry-after': String(RUN_RETRY_AFTER_SECONDS) },
  );
}

export function toRunView({ verdict, feedback, durationMs }: RunResult): RunView {
  return {
    status: verdict === 'passed' ? 'passed' : 'failed',
    verdict,
    summary: feedback.summary,
    tests: feedback.tests,
    output: feedback.output,
    outputTruncated: feedback.outputTruncated,
    location: feedback.location ?? null,
    durationMs,
  };
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return error.name === 'TimeoutError' ? 'no answer in time' : error.message;
  if (typeof error === 'object' && error !== null && 'message' in error)
    return String(error.message);
  return String(error);
}
