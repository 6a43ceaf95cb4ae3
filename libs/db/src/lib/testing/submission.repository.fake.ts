import { randomUUID } from 'node:crypto';
import { isStudentFinal, statusOfVerdict } from '@koodi/contracts';
import type { AssignmentEntity } from '../entities/assignment.entity';
import type { SubmissionEntity } from '../entities/submission.entity';
import {
  isCopyable,
  ONE_IN_FLIGHT_PER_USER,
  ONE_PER_IDEMPOTENCY_KEY,
  type ChangedSubmission,
  type GradingClaim,
  type NewSubmission,
  type SubmissionHistoryRow,
  type SubmissionRepository,
  type VerdictToCommit,
} from '../repositories/submission.repository';

const inFlight = (row: SubmissionEntity): boolean =>
  row.status === 'queued' || row.status === 'grading';

const copyableFinal = (row: SubmissionEntity): boolean =>
  isStudentFinal(row.status) &&
  row.verdict !== null &&
  isCopyable({ verdict: row.verdict, slotIntact: row.slotIntact });

/** Shaped like PostgreSQL's unique_violation, so isUniqueViolation recognises it. */
const uniqueViolation = (constraint: string) =>
  Object.assign(new Error(`duplicate key value violates unique constraint "${constraint}"`), {
    code: '23505',
    constraint,
  });

/** The SubmissionRepository methods the apps use, for their unit tests. */
export type SubmissionRepositoryPort = Pick<
  SubmissionRepository,
  | 'insertDeduped'
  | 'claimForGrading'
  | 'commitVerdict'
  | 'finalizeJoined'
  | 'findById'
  | 'findOwned'
  | 'findInFlightForUser'
  | 'findByIdempotencyKey'
  | 'historyFor'
>;

/**
 * SubmissionRepository in memory, for unit tests: the same rules (dedupe by COPYABLE_VERDICTS
 * via isCopyable, one in flight per user, idempotency keys, claims counting attempts, verdicts
 * committed once) as repositories.int.spec.ts checks against PostgreSQL.
 */
export class FakeSubmissionRepository implements SubmissionRepositoryPort {
  /** Rows by id, in insertion (creation) order. */
  readonly rows = new Map<string, SubmissionEntity>();
  /** Every commitVerdict that reached the write, in order. */
  readonly commits: Array<{ id: string; result: VerdictToCommit }> = [];
  /** Errors thrown by the next commitVerdict calls, one per call, before the write happens. */
  readonly commitFailures: unknown[] = [];

  /** Puts a row as given (a queued one by default), without dedupe or constraints. */
  add(overrides: Partial<SubmissionEntity> = {}): SubmissionEntity {
    const row = Object.assign(
      {
        id: randomUUID(),
        assignmentId: randomUUID(),
        assignmentVersion: 'v1',
        userId: randomUUID(),
        code: 'def hello():\n    return "Hello"\n',
        codeSha256: '0'.repeat(64),
        status: 'queued',
        verdict: null,
        feedback: null,
        attempts: 0,
        duplicateOf: null,
        idempotencyKey: null,
        createdAt: new Date(),
        startedAt: null,
        gradedAt: null,
        gradingMs: null,
        slotIntact: true,
      } satisfies SubmissionEntity,
      overrides,
    );
    this.rows.set(row.id, row);
    return row;
  }

  async insertDeduped(submission: NewSubmission): Promise<SubmissionEntity> {
    const all = [...this.rows.values()];
    if (
      submission.idempotencyKey &&
      all.some(
        (row) =>
          row.userId === submission.userId && row.idempotencyKey === submission.idempotencyKey,
      )
    ) {
      throw uniqueViolation(ONE_PER_IDEMPOTENCY_KEY);
    }
    const same = all.filter(
      (row) =>
        row.assignmentId === submission.assignmentId &&
        row.assignmentVersion === submission.assignmentVersion &&
        row.codeSha256 === submission.codeSha256,
    );
    // As the statement: the latest copyable final verdict, else the latest source in flight.
    const source =
      same.findLast(copyableFinal) ??
      same.findLast((row) => inFlight(row) && row.duplicateOf === null);
    const final = source !== undefined && copyableFinal(source);
    if (!final && all.some((row) => row.userId === submission.userId && inFlight(row))) {
      throw uniqueViolation(ONE_IN_FLIGHT_PER_USER);
    }
    const now = new Date();
    const row = this.add({
      assignmentId: submission.assignmentId,
      assignmentVersion: submission.assignmentVersion,
      userId: submission.userId,
      code: submission.code,
      codeSha256: submission.codeSha256,
      idempotencyKey: submission.idempotencyKey ?? null,
      duplicateOf: source?.id ?? null,
      ...(final
        ? {
            status: source.status,
            verdict: source.verdict,
            feedback: source.feedback,
            startedAt: now,
            gradedAt: now,
            gradingMs: 0,
          }
        : {}),
    });
    return { ...row };
  }

  async claimForGrading(id: string): Promise<GradingClaim | null> {
    const row = this.rows.get(id);
    if (!row || !inFlight(row)) return null;
    row.status = 'grading';
    row.attempts += 1;
    row.startedAt ??= new Date();
    const { userId, assignmentId, assignmentVersion, code, attempts } = row;
    return { id, userId, assignmentId, assignmentVersion, code, attempts };
  }

  async commitVerdict(id: string, result: VerdictToCommit): Promise<ChangedSubmission[]> {
    const failure = this.commitFailures.shift();
    if (failure !== undefined) throw failure;
    this.commits.push({ id, result });
    const share = isCopyable(result);
    const changed: ChangedSubmission[] = [];
    for (const row of this.rows.values()) {
      // A verdict that may not be copied leaves the joined rows, to be graded on their own.
      if (!share && row.duplicateOf === id && inFlight(row)) row.duplicateOf = null;
      if ((row.id === id || row.duplicateOf === id) && inFlight(row)) {
        Object.assign(row, {
          status: statusOfVerdict(result.verdict),
          verdict: result.verdict,
          feedback: result.feedback,
          gradingMs: Math.max(0, Math.round(result.gradingMs)),
          startedAt: row.startedAt ?? new Date(),
          gradedAt: new Date(),
          slotIntact: result.slotIntact !== false,
        });
        changed.push({ id: row.id, userId: row.userId, status: row.status });
      }
    }
    return changed;
  }

  async finalizeJoined(id?: string): Promise<ChangedSubmission[]> {
    const changed: ChangedSubmission[] = [];
    for (const row of this.rows.values()) {
      if ((id && row.id !== id) || !row.duplicateOf || !inFlight(row)) continue;
      const source = this.rows.get(row.duplicateOf);
      if (!source || inFlight(source)) continue;
      if (!copyableFinal(source)) {
        row.duplicateOf = null;
        continue;
      }
      Object.assign(row, {
        status: source.status,
        verdict: source.verdict,
        feedback: source.feedback,
        startedAt: row.startedAt ?? new Date(),
        gradedAt: new Date(),
        gradingMs: 0,
      });
      changed.push({ id: row.id, userId: row.userId, status: row.status });
    }
    return changed;
  }

  async findById(id: string): Promise<SubmissionEntity | null> {
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }

  async findOwned(id: string, userId: string): Promise<SubmissionEntity | null> {
    const row = this.rows.get(id);
    return row && row.userId === userId ? { ...row } : null;
  }

  async findInFlightForUser(userId: string): Promise<SubmissionEntity | null> {
    const row = [...this.rows.values()].find(
      (candidate) => candidate.userId === userId && inFlight(candidate),
    );
    return row ? { ...row } : null;
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<SubmissionEntity | null> {
    const row = [...this.rows.values()].find(
      (candidate) => candidate.userId === userId && candidate.idempotencyKey === key,
    );
    return row ? { ...row } : null;
  }

  async historyFor(
    userId: string,
    assignmentId: string,
    limit = 50,
  ): Promise<SubmissionHistoryRow[]> {
    return [...this.rows.values()]
      .filter((row) => row.userId === userId && row.assignmentId === assignmentId)
      .reverse()
      .slice(0, limit)
      .map((row) => ({
        id: row.id,
        assignmentId: row.assignmentId,
        status: row.status,
        verdict: row.verdict,
        summary: row.feedback?.summary ?? null,
        createdAt: row.createdAt,
        gradedAt: row.gradedAt,
      }));
  }
}

/** AssignmentRepository.findWithTests in memory, counting how often the database would be asked. */
export class FakeAssignmentRepository {
  readonly rows = new Map<string, AssignmentEntity>();
  lookups = 0;

  add(overrides: Partial<AssignmentEntity> = {}): AssignmentEntity {
    const row = Object.assign(
      {
        id: randomUUID(),
        slug: `a-${randomUUID().slice(0, 8)}`,
        position: 1,
        title: 'Hello',
        handoutMd: '',
        starterCode: '',
        moduleName: 'solution',
        kind: 'function',
        testCode: 'import unittest\n',
        sampleTestCode: '',
        limits: {},
        version: 'v1',
        createdAt: new Date(),
        updatedAt: new Date(),
      } satisfies AssignmentEntity,
      overrides,
    );
    this.rows.set(row.id, row);
    return row;
  }

  async findWithTests(id: string): Promise<AssignmentEntity | null> {
    this.lookups += 1;
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }
}
