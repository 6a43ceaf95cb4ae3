import { randomUUID } from 'node:crypto';
import {
  isCopyable,
  type ChangedSubmission,
  type NewSubmission,
  type SubmissionEntity,
  type SubmissionHistoryRow,
  type VerdictToCommit,
} from '@koodi/db';
import { isStudentFinal, statusOfVerdict } from '@koodi/contracts';

const copyableFinal = (row: SubmissionEntity): boolean =>
  isStudentFinal(row.status) && row.verdict !== null && isCopyable({ verdict: row.verdict, slotIntact: row.slotIntact });

const uniqueViolation = (constraint: string) =>
  Object.assign(new Error(`duplicate key value violates unique constraint "${constraint}"`), { code: '23505', constraint });

/** The submission repository's rules (dedupe, one in flight, idempotency) kept in memory. */
export class FakeSubmissionRepository {
  readonly rows: SubmissionEntity[] = [];

  async insertDeduped(submission: NewSubmission): Promise<SubmissionEntity> {
    if (submission.idempotencyKey && this.rows.some((row) => row.userId === submission.userId && row.idempotencyKey === submission.idempotencyKey)) {
      throw uniqueViolation('submissions_idempotency_idx');
    }
    const same = this.rows
      .filter((row) => row.assignmentId === submission.assignmentId && row.assignmentVersion === submission.assignmentVersion && row.codeSha256 === submission.codeSha256)
      .filter((row) => copyableFinal(row) || (!row.duplicateOf && (row.status === 'queued' || row.status === 'grading')));
    const source = same.find(copyableFinal) ?? same[0];
    const final = source && copyableFinal(source);
    if (!final && this.rows.some((row) => row.userId === submission.userId && (row.status === 'queued' || row.status === 'grading'))) {
      throw uniqueViolation('submissions_one_in_flight_per_user_idx');
    }
    const row = {
      id: randomUUID(),
      assignmentId: submission.assignmentId,
      assignmentVersion: submission.assignmentVersion,
      userId: submission.userId,
      code: submission.code,
      codeSha256: submission.codeSha256,
      status: final ? source.status : 'queued',
      verdict: final ? source.verdict : null,
      feedback: final ? source.feedback : null,
      attempts: 0,
      duplicateOf: source?.id ?? null,
      idempotencyKey: submission.idempotencyKey ?? null,
      createdAt: new Date(),
      startedAt: final ? new Date() : null,
      gradedAt: final ? new Date() : null,
      gradingMs: final ? 0 : null,
      slotIntact: true,
    } as SubmissionEntity;
    this.rows.push(row);
    return { ...row };
  }

  async commitVerdict(id: string, result: VerdictToCommit): Promise<ChangedSubmission[]> {
    const share = isCopyable(result);
    const inFlight = (row: SubmissionEntity) => row.status === 'queued' || row.status === 'grading';
    if (!share) for (const row of this.rows) if (row.duplicateOf === id && inFlight(row)) row.duplicateOf = null;
    const changed = this.rows.filter((row) => (row.id === id || (share && row.duplicateOf === id)) && inFlight(row));
    for (const row of changed) {
      Object.assign(row, {
        status: statusOfVerdict(result.verdict),
        verdict: result.verdict,
        feedback: result.feedback,
        gradedAt: new Date(),
        slotIntact: result.slotIntact !== false,
      });
    }
    return changed.map((row) => ({ id: row.id, userId: row.userId, status: row.status }));
  }

  async finalizeJoined(id?: string): Promise<ChangedSubmission[]> {
    const changed: ChangedSubmission[] = [];
    for (const row of this.rows) {
      if ((id && row.id !== id) || !row.duplicateOf || (row.status !== 'queued' && row.status !== 'grading')) continue;
      const source = this.rows.find((candidate) => candidate.id === row.duplicateOf);
      if (!source || source.status === 'queued' || source.status === 'grading') continue;
      if (!copyableFinal(source)) {
        row.duplicateOf = null;
        continue;
      }
      Object.assign(row, { status: source.status, verdict: source.verdict, feedback: source.feedback });
      changed.push({ id: row.id, userId: row.userId, status: row.status });
    }
    return changed;
  }

  async findById(id: string): Promise<SubmissionEntity | null> {
    const row = this.rows.find((candidate) => candidate.id === id);
    return row ? { ...row } : null;
  }

  async findOwned(id: string, userId: string): Promise<SubmissionEntity | null> {
    const row = this.rows.find((candidate) => candidate.id === id && candidate.userId === userId);
    return row ? { ...row } : null;
  }

  async findInFlightForUser(userId: string): Promise<SubmissionEntity | null> {
    return this.rows.find((row) => row.userId === userId && (row.status === 'queued' || row.status === 'grading')) ?? null;
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<SubmissionEntity | null> {
    return this.rows.find((row) => row.userId === userId && row.idempotencyKey === key) ?? null;
  }

  async historyFor(userId: string, assignmentId: string): Promise<SubmissionHistoryRow[]> {
    return this.rows
      .filter((row) => row.userId === userId && row.assignmentId === assignmentId)
      .reverse()
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
