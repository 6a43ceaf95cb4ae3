import { randomUUID } from 'node:crypto';
import { statusOfVerdict } from '@koodi/contracts';
import {
  isCopyable,
  type AssignmentEntity,
  type ChangedSubmission,
  type GradingClaim,
  type SubmissionEntity,
  type VerdictToCommit,
} from '@koodi/db';
import type { AssignmentSource } from './assignment-tests.cache';
import type { SubmissionStore } from './grading.service';

/** In-memory submissions with the repository's rules: claims count attempts, final rows never change. */
export class SubmissionStoreFake implements SubmissionStore {
  readonly rows = new Map<string, SubmissionEntity>();
  readonly commits: Array<{ id: string; result: VerdictToCommit }> = [];
  /** Errors thrown by the next commitVerdict calls, one per call, before the write happens. */
  readonly commitFailures: unknown[] = [];

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

  async claimForGrading(id: string): Promise<GradingClaim | null> {
    const row = this.rows.get(id);
    if (!row || (row.status !== 'queued' && row.status !== 'grading')) return null;
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
    const changed: ChangedSubmission[] = [];
    const share = isCopyable(result);
    for (const row of this.rows.values()) {
      const inFlight = row.status === 'queued' || row.status === 'grading';
      // As the repository: a verdict that may not be copied leaves the joined rows to be graded again.
      if (!share && row.duplicateOf === id && inFlight) row.duplicateOf = null;
      if ((row.id === id || row.duplicateOf === id) && inFlight) {
        Object.assign(row, {
          status: statusOfVerdict(result.verdict),
          verdict: result.verdict,
          feedback: result.feedback,
          gradingMs: result.gradingMs,
          gradedAt: new Date(),
          slotIntact: result.slotIntact !== false,
        });
        changed.push({ id: row.id, userId: row.userId, status: row.status });
      }
    }
    return changed;
  }
}

/** Assignments by id, counting how often the database would have been asked. */
export class AssignmentSourceFake implements AssignmentSource {
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
