import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Feedback } from '@koodi/contracts';
import { createDataSource } from '../data-source';
import { AssignmentRepository, type AssignmentContent } from './assignment.repository';
import { insertSubmissionRow } from '../testing/submission-rows';
import {
  COPYABLE_VERDICTS,
  isUniqueViolation,
  ONE_IN_FLIGHT_PER_USER,
  ONE_PER_IDEMPOTENCY_KEY,
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

  it('stores the kind of an assignment: function unless it says program', async () => {
    const plain = assignmentContent();
    const program = assignmentContent({
      kind: 'program',
      testCode: '{"compare":"exact","cases":[]}',
    });
    await assignments.upsertBySlug(plain);
    await assignments.upsertBySlug(program);

    assert.equal((await assignments.findByIdOrSlug(plain.slug))!.kind, 'function');
    const stored = (await assignments.findByIdOrSlug(program.slug))!;
    assert.equal(stored.kind, 'program');
    assert.equal((await assignments.findWithTests(stored.id))!.testCode, program.testCode);
    await assert.rejects(
      dataSource.query(`UPDATE assignments SET kind = 'quiz' WHERE id = $1`, [stored.id]),
      /assignments_kind_check/,
    );
  });

  const countRows = async (codeSha256: string): Promise<number> => {
    const [row]: Array<{ count: string }> = await dataSource.query(
      'SELECT count(*) AS count FROM submissions WHERE code_sha256 = $1',
      [codeSha256],
    );
    return Number(row.count);
  };

  it('inserts new code as a plain queued row, returned whole without reading it back', async () => {
    const { submission, user } = await fixture();
    const row = await sut.insertDeduped({ ...submission, idempotencyKey: 'key-1' });
    assert.equal(row.status, 'queued');
    assert.equal(row.verdict, null);
    assert.equal(row.feedback, null);
    assert.equal(row.duplicateOf, null);
    assert.equal(row.attempts, 0);
    assert.equal(row.startedAt, null);
    assert.equal(row.gradedAt, null);
    assert.equal(row.slotIntact, true);
    assert.equal(row.code, submission.code);
    assert.ok(row.createdAt instanceof Date);
    assert.deepEqual({ ...(await sut.findById(row.id))! }, { ...row });
    assert.equal((await sut.findByIdempotencyKey(user.id, 'key-1'))!.id, row.id);
  });

  it('allows one queued-or-grading submission per user', async () => {
    const { submission } = await fixture();
    await sut.insertDeduped(submission);
    await assert.rejects(
      sut.insertDeduped({ ...submission, code: 'x = 2', codeSha256: sha('x = 2') }),
      (error) => isUniqueViolation(error, ONE_IN_FLIGHT_PER_USER),
    );
    assert.equal(await countRows(sha('x = 2')), 0, 'a refused submission leaves no row');
  });

  it('refuses a retried idempotency key of the same user, and only of the same user', async () => {
    const { submission, user } = await fixture();
    const first = await sut.insertDeduped({ ...submission, idempotencyKey: 'retry' });
    await sut.commitVerdict(first.id, { verdict: 'passed', feedback, gradingMs: 1 });
    await assert.rejects(sut.insertDeduped({ ...submission, idempotencyKey: 'retry' }), (error) =>
      isUniqueViolation(error, ONE_PER_IDEMPOTENCY_KEY),
    );
    assert.equal(await countRows(submission.codeSha256), 1);
    assert.equal((await sut.findByIdempotencyKey(user.id, 'retry'))!.id, first.id);

    const other = await users.create();
    const copy = await sut.insertDeduped({
      ...submission,
      userId: other.id,
      idempotencyKey: 'retry',
    });
    assert.equal(copy.duplicateOf, first.id);
  });

  it('joins identical code in flight, never a row that itself joined, and not other assignments or versions', async () => {
    const { submission, assignment } = await fixture();
    const first = await sut.insertDeduped(submission);
    const joined = await sut.insertDeduped({ ...submission, userId: (await users.create()).id });
    assert.equal(joined.status, 'queued');
    assert.equal(joined.duplicateOf, first.id);
    const third = await sut.insertDeduped({ ...submission, userId: (await users.create()).id });
    assert.equal(third.duplicateOf, first.id, 'joins the source, not a row that joined it');

    // Being graded is still in flight.
    await sut.claimForGrading(first.id);
    const fourth = await sut.insertDeduped({ ...submission, userId: (await users.create()).id });
    assert.equal(fourth.duplicateOf, first.id);

    const otherVersion = await sut.insertDeduped({
      ...submission,
      userId: (await users.create()).id,
      assignmentVersion: `${assignment.version}-next`,
    });
    assert.equal(otherVersion.duplicateOf, null);
    const { assignment: otherAssignment } = await fixture();
    const elsewhere = await sut.insertDeduped({
      ...submission,
      userId: (await users.create()).id,
      assignmentId: otherAssignment.id,
      assignmentVersion: otherAssignment.version,
    });
    assert.equal(elsewhere.duplicateOf, null);
  });

  for (const verdict of COPYABLE_VERDICTS) {
    it(`copies an intact final ${verdict} verdict to another user's identical submission`, async () => {
      const { submission } = await fixture();
      const first = await sut.insertDeduped(submission);
      const result = { verdict, feedback: { ...feedback, summary: verdict }, gradingMs: 7 };
      await sut.commitVerdict(first.id, result);

      const other = await users.create();
      const copy = await sut.insertDeduped({ ...submission, userId: other.id });
      assert.equal(copy.status, verdict === 'passed' ? 'passed' : 'failed');
      assert.equal(copy.verdict, verdict);
      assert.deepEqual(copy.feedback, result.feedback);
      assert.equal(copy.duplicateOf, first.id);
      assert.equal(copy.gradingMs, 0);
      assert.ok(copy.startedAt instanceof Date && copy.gradedAt instanceof Date);
      assert.equal(copy.attempts, 0);
      assert.deepEqual({ ...(await sut.findById(copy.id))! }, { ...copy });
      // A copied verdict is final: nothing claims it, and it does not hold the user's one slot.
      assert.equal(await sut.claimForGrading(copy.id), null);
      assert.equal(await sut.findInFlightForUser(other.id), null);
    });
  }

  it('prefers the latest copyable final verdict to a submission in flight', async () => {
    const { submission } = await fixture();
    const failedFirst = await sut.insertDeduped(submission);
    await sut.commitVerdict(failedFirst.id, { verdict: 'tests_failed', feedback, gradingMs: 1 });
    // An ungraded row of the same code (as the reconciler leaves one whose source was not copyable).
    const inFlight = await insertSubmissionRow(dataSource, {
      ...submission,
      userId: (await users.create()).id,
    });
    const passed = await insertSubmissionRow(dataSource, {
      ...submission,
      userId: (await users.create()).id,
    });
    await sut.commitVerdict(passed.id, { verdict: 'passed', feedback, gradingMs: 1 });

    const copy = await sut.insertDeduped({ ...submission, userId: (await users.create()).id });
    assert.equal(copy.duplicateOf, passed.id);
    assert.equal(copy.verdict, 'passed');
    assert.notEqual(copy.duplicateOf, inFlight.id);
  });

  it('gives concurrent identical submissions one row each and at most one grading', async () => {
    const { submission } = await fixture();
    const others = await Promise.all(Array.from({ length: 6 }, () => users.create()));
    const rows = await Promise.all(
      others.map((user) => sut.insertDeduped({ ...submission, userId: user.id })),
    );
    assert.equal(new Set(rows.map((row) => row.id)).size, rows.length);
    assert.equal(await countRows(submission.codeSha256), rows.length);
    const sources = rows.filter((row) => row.duplicateOf === null);
    assert.ok(sources.length >= 1);
    for (const row of rows) {
      assert.equal(row.status, 'queued');
      if (row.duplicateOf !== null)
        assert.ok(sources.some((source) => source.id === row.duplicateOf));
    }

    // Committing every source finishes every row, each exactly once.
    const changed = (
      await Promise.all(
        sources.map((source) =>
          sut.commitVerdict(source.id, { verdict: 'passed', feedback, gradingMs: 1 }),
        ),
      )
    ).flat();
    assert.deepEqual(changed.map((row) => row.id).sort(), rows.map((row) => row.id).sort());
  });

  it('refuses one of two concurrent submissions of the same user', async () => {
    const { submission } = await fixture();
    const results = await Promise.allSettled([
      sut.insertDeduped(submission),
      sut.insertDeduped({ ...submission, code: 'z = 3', codeSha256: sha('z = 3') }),
    ]);
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
    const [refused] = results.filter((result) => result.status === 'rejected');
    assert.ok(isUniqueViolation(refused.reason, ONE_IN_FLIGHT_PER_USER));
  });

  it('commits a verdict once, to the row and the rows that joined it', async () => {
    const { submission } = await fixture();
    const first = await sut.insertDeduped(submission);
    const other = await users.create();
    const joined = await sut.insertDeduped({ ...submission, userId: other.id });
    assert.equal(joined.duplicateOf, first.id);

    assert.equal((await sut.claimForGrading(first.id))!.attempts, 1);
    const changed = await sut.commitVerdict(first.id, {
      verdict: 'passed',
      feedback,
      gradingMs: 3,
    });
    assert.deepEqual(changed.map((row) => row.id).sort(), [first.id, joined.id].sort());
    for (const id of [first.id, joined.id]) {
      const row = (await sut.findById(id))!;
      assert.equal(row.status, 'passed');
      assert.equal(row.verdict, 'passed');
      assert.deepEqual(row.feedback, feedback);
      assert.ok(row.gradedAt instanceof Date);
    }
    assert.equal((await sut.findById(first.id))!.gradingMs, 3);

    const again = await sut.commitVerdict(first.id, {
      verdict: 'tests_failed',
      feedback,
      gradingMs: 9,
    });
    assert.deepEqual(again, []);
    assert.equal((await sut.findById(first.id))!.verdict, 'passed');
    assert.equal((await sut.findById(joined.id))!.verdict, 'passed');
    assert.equal(await sut.claimForGrading(first.id), null);
  });

  it('commits only one of two concurrent verdicts of the same submission', async () => {
    const { submission } = await fixture();
    const row = await sut.insertDeduped(submission);
    await sut.claimForGrading(row.id);
    const [a, b] = await Promise.all([
      sut.commitVerdict(row.id, { verdict: 'passed', feedback, gradingMs: 1 }),
      sut.commitVerdict(row.id, { verdict: 'tests_failed', feedback, gradingMs: 2 }),
    ]);
    assert.equal(a.length + b.length, 1);
    const final = (await sut.findById(row.id))!;
    assert.equal(final.verdict, a.length ? 'passed' : 'tests_failed');
  });

  it('gives rows that joined just after the verdict the copyable verdict of their source', async () => {
    const { submission } = await fixture();
    const first = await sut.insertDeduped(submission);
    await sut.commitVerdict(first.id, { verdict: 'passed', feedback, gradingMs: 1 });
    const late = await insertSubmissionRow(dataSource, {
      ...submission,
      userId: (await users.create()).id,
      duplicateOf: first.id,
    });
    const untouched = await insertSubmissionRow(dataSource, {
      ...submission,
      userId: (await users.create()).id,
      duplicateOf: first.id,
    });
    assert.deepEqual(await sut.finalizeJoined(late.id), [
      { id: late.id, userId: late.userId, status: 'passed' },
    ]);
    assert.equal((await sut.findById(late.id))!.verdict, 'passed');
    assert.equal((await sut.findById(untouched.id))!.status, 'queued', 'only the row asked for');
    assert.deepEqual(await sut.finalizeJoined(late.id), [], 'once');
  });

  it('claims a submission for grading in one step, counting attempts, until it is final', async () => {
    const { submission, user } = await fixture();
    const row = await sut.insertDeduped(submission);

    assert.deepEqual(await sut.claimForGrading(row.id), {
      id: row.id,
      userId: user.id,
      assignmentId: submission.assignmentId,
      assignmentVersion: submission.assignmentVersion,
      code: submission.code,
      attempts: 1,
    });
    const claimed = (await sut.findById(row.id))!;
    assert.equal(claimed.status, 'grading');
    assert.ok(claimed.startedAt instanceof Date);
    assert.equal((await sut.claimForGrading(row.id))!.attempts, 2);
    const reclaimed = (await sut.findById(row.id))!;
    assert.equal(reclaimed.status, 'grading');
    assert.deepEqual(reclaimed.startedAt, claimed.startedAt, 'the first start is kept');
    await sut.commitVerdict(row.id, { verdict: 'passed', feedback, gradingMs: 1 });
    assert.equal(await sut.claimForGrading(row.id), null);
    assert.equal((await sut.findById(row.id))!.attempts, 2);
    assert.equal(await sut.claimForGrading(randomUUID()), null, 'an unknown id claims nothing');
  });

  it('never copies an infrastructure error, and copies the next final student verdict', async () => {
    const { submission } = await fixture();
    const first = await sut.insertDeduped(submission);
    await sut.commitVerdict(first.id, { verdict: 'internal_error', feedback, gradingMs: 1 });

    const other = await users.create();
    const second = await sut.insertDeduped({ ...submission, userId: other.id });
    assert.equal(second.status, 'queued');
    assert.equal(second.duplicateOf, null);
    await sut.commitVerdict(second.id, { verdict: 'tests_failed', feedback, gradingMs: 1 });

    const third = await users.create();
    const copy = await sut.insertDeduped({ ...submission, userId: third.id });
    assert.equal(copy.status, 'failed');
    assert.equal(copy.verdict, 'tests_failed');
    assert.equal(copy.duplicateOf, second.id);
  });

  // docs/SECURITY.md case 36: dedupe must not spread a verdict the code did not earn by itself.
  it('case 36: a verdict from a sandbox the job changed is never copied to another user', async () => {
    const { submission } = await fixture();
    const poisoned = await sut.insertDeduped(submission);
    await sut.claimForGrading(poisoned.id);
    await sut.commitVerdict(poisoned.id, {
      verdict: 'tests_failed',
      feedback,
      gradingMs: 1,
      slotIntact: false,
    });
    assert.equal((await sut.findById(poisoned.id))!.slotIntact, false);

    const other = await users.create();
    const next = await sut.insertDeduped({ ...submission, userId: other.id });
    assert.equal(next.status, 'queued');
    assert.equal(next.verdict, null);
    assert.equal(next.duplicateOf, null);
    // The new row in flight is what identical code joins from now on, not the changed-sandbox one.
    const joined = await sut.insertDeduped({ ...submission, userId: (await users.create()).id });
    assert.equal(joined.duplicateOf, next.id);
  });

  for (const verdict of [
    'time_limit_cpu',
    'time_limit_wall',
    'memory_limit',
    'output_limit',
    'internal_error',
  ] as const) {
    it(`case 36: the verdict ${verdict} is never copied to another user`, async () => {
      const { submission } = await fixture();
      const first = await sut.insertDeduped(submission);
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
    const first = await sut.insertDeduped(submission);
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
      assert.deepEqual(
        changed.map((row) => row.id),
        [first.id],
      );
      const left = (await sut.findById(joined.id))!;
      assert.equal(left.status, 'queued');
      assert.equal(left.duplicateOf, null, 'left to the reconciler, which queues it again');

      // A join that committed just after the verdict: finalizeJoined must not copy it either.
      const late = await insertSubmissionRow(dataSource, {
        ...submission,
        userId: (await users.create()).id,
        duplicateOf: first.id,
      });
      assert.deepEqual(await sut.finalizeJoined(late.id), []);
      const lateRow = (await sut.findById(late.id))!;
      assert.equal(lateRow.status, 'queued');
      assert.equal(lateRow.duplicateOf, null);
    }
  });

  it('case 42: the history carries summaries and never loads the full feedback', async () => {
    const { submission, user } = await fixture();
    const row = await sut.insertDeduped(submission);
    const big: Feedback = {
      summary: '1 of 1000 tests failed.',
      tests: Array.from({ length: 1000 }, (_, i) => ({
        name: `T.test_${i}`,
        outcome: 'failed' as const,
        message: 'x'.repeat(200),
      })),
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
    const first = await sut.insertDeduped(submission);
    await sut.commitVerdict(first.id, { verdict: 'passed', feedback, gradingMs: 1 });
    const second = await sut.insertDeduped({
      ...submission,
      code: 'y = 1',
      codeSha256: sha('y = 1'),
    });
    await sut.commitVerdict(second.id, { verdict: 'passed', feedback, gradingMs: 1 });
    assert.deepEqual(await sut.solvedAssignmentIds(user.id), [submission.assignmentId]);
    assert.equal((await sut.historyFor(user.id, submission.assignmentId)).length, 2);
  });
});
