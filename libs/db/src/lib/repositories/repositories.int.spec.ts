import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Feedback } from '@koodi/contracts';
import { createDataSource } from '../data-source';
import { AssignmentRepository, type AssignmentContent } from './assignment.repository';
import {
  isUniqueViolation,
  ONE_IN_FLIGHT_PER_USER,
  SubmissionRepository,
} from './submission.repository';
import { UserRepository } from './user.repository';

const feedback: Feedback = {
  summary: 'All 1 tests passed.',
  tests: [],
  output: '',
  outputTruncated: false,
};

function assignmentContent(overrides: Partial<AssignmentContent> = {}): AssignmentContent {
  const slug = `test-${randomUUID().slice(0, 8)}`;
  return {
    slug,
    position: 900,
    title: 'Test assignment',
    handoutMd: '# Test',
    starterCode: 'def f():\n    pass\n',
    moduleName: 'solution',
    testCode: 'import unittest\n',
    sampleTestCode: '',
    limits: {},
    version: 'v1',
    ...overrides,
  };
}

const sha = (code: string) => createHash('sha256').update(code).digest('hex');

describe('repositories', () => {
  let dataSource: DataSource;
  let users: UserRepository;
  let assignments: AssignmentRepository;
  let sut: SubmissionRepository;

  before(async () => {
    dataSource = await createDataSource({
      url: process.env.DATABASE_URL!,
      poolSize: 2,
    }).initialize();
    users = new UserRepository(dataSource);
    assignments = new AssignmentRepository(dataSource);
    sut = new SubmissionRepository(dataSource);
  });
  after(() => dataSource.destroy());

  async function fixture() {
    const content = assignmentContent();
    await assignments.upsertBySlug(content);
    const assignment = (await assignments.findByIdOrSlug(content.slug))!;
    const user = await users.create();
    const code = `def f():\n    return '${randomUUID()}'\n`;
    const submission = {
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
      userId: user.id,
      code,
      codeSha256: sha(code),
    };
    return { assignment, user, submission };
  }

  it('upserts assignments by slug and keeps hidden tests out of ordinary reads', async () => {
    const content = assignmentContent({ testCode: 'SECRET TESTS' });
    assert.equal(await assignments.upsertBySlug(content), 'created');
    assert.equal(await assignments.upsertBySlug(content), 'unchanged');
    assert.equal(
      await assignments.upsertBySlug({ ...content, version: 'v2', title: 'Renamed' }),
      'updated',
    );

    const plain = (await assignments.findByIdOrSlug(content.slug))!;
    assert.equal(plain.title, 'Renamed');
    assert.equal(plain.testCode, undefined);
    assert.equal((await assignments.findWithTests(plain.id))!.testCode, 'SECRET TESTS');
    assert.equal((await assignments.findByIdOrSlug(plain.id))!.slug, content.slug);
  });

  it('allows one queued-or-grading submission per user', async () => {
    const { submission } = await fixture();
    await sut.insertQueued(submission);
    await assert.rejects(
      sut.insertQueued({ ...submission, code: 'x = 2', codeSha256: sha('x = 2') }),
      (error) => isUniqueViolation(error, ONE_IN_FLIGHT_PER_USER),
    );
  });

  it('commits a verdict once, to the row and the rows that joined it', async () => {
    const { submission } = await fixture();
    const first = await sut.insertQueued(submission);
    const other = await users.create();
    const joined = await sut.insertQueued({
      ...submission,
      userId: other.id,
      duplicateOf: first.id,
    });

    assert.equal((await sut.markGrading(first.id))!.attempts, 1);
    const changed = await sut.commitVerdict(first.id, {
      verdict: 'passed',
      feedback,
      gradingMs: 3,
    });
    assert.deepEqual(changed.map((row) => row.id).sort(), [first.id, joined.id].sort());

    const again = await sut.commitVerdict(first.id, {
      verdict: 'tests_failed',
      feedback,
      gradingMs: 9,
    });
    assert.deepEqual(again, []);
    assert.equal((await sut.findById(first.id))!.verdict, 'passed');
    assert.equal(await sut.markGrading(first.id), null);
  });

  it('claims a submission for grading in one step, counting attempts, until it is final', async () => {
    const { submission, user } = await fixture();
    const row = await sut.insertQueued(submission);

    assert.deepEqual(await sut.claimForGrading(row.id), {
      id: row.id,
      userId: user.id,
      assignmentId: submission.assignmentId,
      assignmentVersion: submission.assignmentVersion,
      code: submission.code,
      attempts: 1,
    });
    assert.equal((await sut.claimForGrading(row.id))!.attempts, 2);
    assert.equal((await sut.findById(row.id))!.status, 'grading');
    await sut.commitVerdict(row.id, { verdict: 'passed', feedback, gradingMs: 1 });
    assert.equal(await sut.claimForGrading(row.id), null);
    assert.equal((await sut.findById(row.id))!.attempts, 2);
  });

  it('reuses a final student verdict and never an infrastructure error', async () => {
    const { submission } = await fixture();
    const first = await sut.insertQueued(submission);
    await sut.commitVerdict(first.id, { verdict: 'internal_error', feedback, gradingMs: 1 });
    assert.equal(
      await sut.findReusable(
        submission.assignmentId,
        submission.assignmentVersion,
        submission.codeSha256,
      ),
      null,
    );

    const other = await users.create();
    const second = await sut.insertQueued({ ...submission, userId: other.id });
    assert.equal(
      (await sut.findReusable(
        submission.assignmentId,
        submission.assignmentVersion,
        submission.codeSha256,
      ))!.id,
      second.id,
    );
    await sut.commitVerdict(second.id, { verdict: 'tests_failed', feedback, gradingMs: 1 });

    const reusable = (await sut.findReusable(
      submission.assignmentId,
      submission.assignmentVersion,
      submission.codeSha256,
    ))!;
    assert.equal(reusable.id, second.id);
    const third = await users.create();
    const copy = await sut.insertCopyOfFinal({ ...submission, userId: third.id }, reusable);
    assert.equal(copy.status, 'failed');
    assert.equal(copy.verdict, 'tests_failed');
    assert.equal(copy.duplicateOf, second.id);
  });

  // docs/SECURITY.md case 36: dedupe must not spread a verdict the code did not earn by itself.
  it('case 36: a verdict from a sandbox the job changed is never copied to another user', async () => {
    const { submission } = await fixture();
    const poisoned = await sut.insertQueued(submission);
    await sut.claimForGrading(poisoned.id);
    await sut.commitVerdict(poisoned.id, { verdict: 'tests_failed', feedback, gradingMs: 1, slotIntact: false });
    assert.equal((await sut.findById(poisoned.id))!.slotIntact, false);

    const other = await users.create();
    const next = await sut.insertDeduped({ ...submission, userId: other.id });
    assert.equal(next.status, 'queued');
    assert.equal(next.verdict, null);
    assert.equal(next.duplicateOf, null);
    assert.equal(await sut.findReusable(submission.assignmentId, submission.assignmentVersion, submission.codeSha256).then((r) => r?.id), next.id);
  });

  for (const verdict of ['time_limit_cpu', 'time_limit_wall', 'memory_limit', 'output_limit', 'internal_error'] as const) {
    it(`case 36: the verdict ${verdict} is never copied to another user`, async () => {
      const { submission } = await fixture();
      const first = await sut.insertQueued(submission);
      await sut.commitVerdict(first.id, { verdict, feedback, gradingMs: 1 });

      const other = await users.create();
      const next = await sut.insertDeduped({ ...submission, userId: other.id });
      assert.equal(next.status, 'queued');
      assert.equal(next.verdict, null);
      assert.equal(next.duplicateOf, null);
    });
  }

  it('case 36: an intact tests_failed verdict is still copied', async () => {
    const { submission } = await fixture();
    const first = await sut.insertQueued(submission);
    await sut.commitVerdict(first.id, { verdict: 'tests_failed', feedback, gradingMs: 1 });

    const other = await users.create();
    const next = await sut.insertDeduped({ ...submission, userId: other.id });
    assert.equal(next.status, 'failed');
    assert.equal(next.verdict, 'tests_failed');
    assert.equal(next.duplicateOf, first.id);
  });

  it('case 36: rows that joined a submission in flight do not inherit its limit or changed-sandbox verdict', async () => {
    for (const result of [
      { verdict: 'memory_limit' as const, slotIntact: true },
      { verdict: 'passed' as const, slotIntact: false },
    ]) {
      const { submission } = await fixture();
      const first = await sut.insertDeduped(submission);
      const other = await users.create();
      const joined = await sut.insertDeduped({ ...submission, userId: other.id });
      assert.equal(joined.duplicateOf, first.id);

      const changed = await sut.commitVerdict(first.id, { ...result, feedback, gradingMs: 1 });
      assert.deepEqual(changed.map((row) => row.id), [first.id]);
      const left = (await sut.findById(joined.id))!;
      assert.equal(left.status, 'queued');
      assert.equal(left.duplicateOf, null, 'left to the reconciler, which queues it again');

      // A join that committed just after the verdict: finalizeJoined must not copy it either.
      const late = await sut.insertQueued({ ...submission, userId: (await users.create()).id, duplicateOf: first.id });
      assert.deepEqual(await sut.finalizeJoined(late.id), []);
      const lateRow = (await sut.findById(late.id))!;
      assert.equal(lateRow.status, 'queued');
      assert.equal(lateRow.duplicateOf, null);
    }
  });

  it('case 42: the history carries summaries and never loads the full feedback', async () => {
    const { submission, user } = await fixture();
    const row = await sut.insertQueued(submission);
    const big: Feedback = {
      summary: '1 of 1000 tests failed.',
      tests: Array.from({ length: 1000 }, (_, i) => ({ name: `T.test_${i}`, outcome: 'failed' as const, message: 'x'.repeat(200) })),
      output: 'y'.repeat(60_000),
      outputTruncated: false,
    };
    await sut.commitVerdict(row.id, { verdict: 'tests_failed', feedback: big, gradingMs: 1 });

    const [item] = await sut.historyFor(user.id, submission.assignmentId);
    assert.equal(item.id, row.id);
    assert.equal(item.summary, big.summary);
    assert.equal(item.verdict, 'tests_failed');
    assert.equal(item.status, 'failed');
    assert.ok(item.createdAt instanceof Date);
    assert.equal('feedback' in item, false);
  });

  it('counts each solved assignment once', async () => {
    const { submission, user } = await fixture();
    const first = await sut.insertQueued(submission);
    await sut.commitVerdict(first.id, { verdict: 'passed', feedback, gradingMs: 1 });
    const second = await sut.insertQueued({
      ...submission,
      code: 'y = 1',
      codeSha256: sha('y = 1'),
    });
    await sut.commitVerdict(second.id, { verdict: 'passed', feedback, gradingMs: 1 });
    assert.deepEqual(await sut.solvedAssignmentIds(user.id), [submission.assignmentId]);
    assert.equal((await sut.historyFor(user.id, submission.assignmentId)).length, 2);
  });
});
