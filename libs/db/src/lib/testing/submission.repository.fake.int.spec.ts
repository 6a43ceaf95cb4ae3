import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Feedback, Verdict } from '@koodi/contracts';
import { createDataSource } from '../data-source';
import { AssignmentRepository } from '../repositories/assignment.repository';
import {
  isUniqueViolation,
  ONE_IN_FLIGHT_PER_USER,
  ONE_PER_IDEMPOTENCY_KEY,
  SubmissionRepository,
  type NewSubmission,
} from '../repositories/submission.repository';
import { UserRepository } from '../repositories/user.repository';
import {
  FakeSubmissionRepository,
  type SubmissionRepositoryPort,
} from './submission.repository.fake';

const feedback: Feedback = { summary: 's', tests: [], output: '', outputTruncated: false };
const sha = (code: string) => createHash('sha256').update(code).digest('hex');

/** What a scenario needs: the repository under test, fresh users and a fresh submission. */
interface Subject {
  sut: SubmissionRepositoryPort;
  newUser(): Promise<string>;
  newSubmission(): Promise<NewSubmission>;
}

/**
 * The same scenarios against PostgreSQL and the fake: unit tests of the apps rely on the fake
 * keeping the repository's rules, so a rule that drifts fails here.
 */
function sameRules(name: string, subject: () => Subject) {
  describe(`${name} keeps the submission rules`, () => {
    it('joins identical code in flight, then finalises the joined row with a copyable verdict', async () => {
      const { sut, newUser, newSubmission } = subject();
      const submission = await newSubmission();
      const first = await sut.insertDeduped(submission);
      assert.equal(first.status, 'queued');
      assert.equal(first.duplicateOf, null);
      const joined = await sut.insertDeduped({ ...submission, userId: await newUser() });
      assert.equal(joined.duplicateOf, first.id);
      assert.equal((await sut.claimForGrading(first.id))!.attempts, 1);
      assert.equal((await sut.claimForGrading(first.id))!.attempts, 2);
      const changed = await sut.commitVerdict(first.id, {
        verdict: 'passed',
        feedback,
        gradingMs: 1,
      });
      assert.deepEqual(changed.map((row) => row.id).sort(), [first.id, joined.id].sort());
      assert.deepEqual(
        await sut.commitVerdict(first.id, { verdict: 'tests_failed', feedback, gradingMs: 1 }),
        [],
      );
      assert.equal((await sut.findById(joined.id))!.verdict, 'passed');
      assert.equal(await sut.claimForGrading(first.id), null);
    });

    for (const [verdict, copied] of [
      ['passed', true],
      ['tests_failed', true],
      ['syntax_error', true],
      ['import_error', true],
      ['time_limit_cpu', false],
      ['time_limit_wall', false],
      ['memory_limit', false],
      ['output_limit', false],
      ['internal_error', false],
    ] as Array<[Verdict, boolean]>) {
      it(`${copied ? 'copies' : 'never copies'} a final ${verdict} verdict`, async () => {
        const { sut, newUser, newSubmission } = subject();
        const submission = await newSubmission();
        const first = await sut.insertDeduped(submission);
        const joined = await sut.insertDeduped({ ...submission, userId: await newUser() });
        const changed = await sut.commitVerdict(first.id, { verdict, feedback, gradingMs: 1 });
        assert.equal(changed.length, copied ? 2 : 1);
        const left = (await sut.findById(joined.id))!;
        assert.equal(left.duplicateOf, copied ? first.id : null);
        assert.equal(left.verdict, copied ? verdict : null);

        const next = await sut.insertDeduped({ ...submission, userId: await newUser() });
        assert.equal(next.verdict, copied ? verdict : null);
        // The latest copyable verdict, else the row in flight: the joined row either way.
        assert.equal(next.duplicateOf, joined.id);
      });
    }

    it('never copies from a sandbox the job changed', async () => {
      const { sut, newUser, newSubmission } = subject();
      const submission = await newSubmission();
      const first = await sut.insertDeduped(submission);
      await sut.commitVerdict(first.id, {
        verdict: 'passed',
        feedback,
        gradingMs: 1,
        slotIntact: false,
      });
      const next = await sut.insertDeduped({ ...submission, userId: await newUser() });
      assert.equal(next.status, 'queued');
      assert.equal(next.duplicateOf, null);
    });

    it('refuses a second submission in flight and a retried idempotency key', async () => {
      const { sut, newSubmission } = subject();
      const submission = await newSubmission();
      const first = await sut.insertDeduped({ ...submission, idempotencyKey: 'k' });
      await assert.rejects(
        sut.insertDeduped({ ...submission, code: 'x', codeSha256: sha('x') }),
        (error) => isUniqueViolation(error, ONE_IN_FLIGHT_PER_USER),
      );
      await sut.commitVerdict(first.id, { verdict: 'passed', feedback, gradingMs: 1 });
      await assert.rejects(sut.insertDeduped({ ...submission, idempotencyKey: 'k' }), (error) =>
        isUniqueViolation(error, ONE_PER_IDEMPOTENCY_KEY),
      );
      assert.equal((await sut.findByIdempotencyKey(submission.userId, 'k'))!.id, first.id);
      assert.equal(await sut.findInFlightForUser(submission.userId), null);
    });
  });
}

let dataSource: DataSource;
before(async () => {
  dataSource = await createDataSource({ url: process.env.DATABASE_URL!, poolSize: 2 }).initialize();
});
after(() => dataSource.destroy());

async function realAssignment(): Promise<{ id: string; version: string }> {
  const assignments = new AssignmentRepository(dataSource);
  const slug = `fake-${randomUUID().slice(0, 8)}`;
  await assignments.upsertBySlug({
    slug,
    position: 901,
    title: 'Fake check',
    handoutMd: '',
    starterCode: '',
    moduleName: 'solution',
    testCode: 'import unittest\n',
    sampleTestCode: '',
    limits: {},
    version: 'v1',
  });
  return (await assignments.findByIdOrSlug(slug))!;
}

function submissionOf(assignment: { id: string; version: string }, userId: string): NewSubmission {
  const code = `x = '${randomUUID()}'\n`;
  return {
    assignmentId: assignment.id,
    assignmentVersion: assignment.version,
    userId,
    code,
    codeSha256: sha(code),
  };
}

sameRules('SubmissionRepository', () => {
  const users = new UserRepository(dataSource);
  const newUser = async () => (await users.create()).id;
  return {
    sut: new SubmissionRepository(dataSource),
    newUser,
    newSubmission: async () => submissionOf(await realAssignment(), await newUser()),
  };
});

sameRules('FakeSubmissionRepository', () => ({
  sut: new FakeSubmissionRepository(),
  newUser: async () => randomUUID(),
  newSubmission: async () => submissionOf({ id: randomUUID(), version: 'v1' }, randomUUID()),
}));
