import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { DEFAULT_LIMITS, SUBMISSION_GRADED, SUBMISSION_GRADING } from '@koodi/contracts';
import { GraderMetrics } from '../ops/grader.metrics';
import { feedbackFor, SandboxCrashFake, SandboxFake } from '../sandbox/sandbox.mock';
import { AssignmentTestsCache } from './assignment-tests.cache';
import { GAVE_UP_FEEDBACK, MAX_RECORDED_ATTEMPTS } from '@koodi/server';
import { GradingService } from './grading.service';
import { SubmissionEventsPublisherFake } from './submission-events.publisher.mock';
import { FakeAssignmentRepository, FakeSubmissionRepository } from '@koodi/db/testing';

Logger.overrideLogger(false);

const connectionLost = () => Object.assign(new Error('Connection terminated unexpectedly'), {});
const adminShutdown = () =>
  Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });

describe(GradingService.name, () => {
  let submissions: FakeSubmissionRepository;
  let assignments: FakeAssignmentRepository;
  let sandbox: SandboxFake;
  let events: SubmissionEventsPublisherFake;
  let metrics: GraderMetrics;
  let sut: GradingService;

  beforeEach(() => {
    submissions = new FakeSubmissionRepository();
    assignments = new FakeAssignmentRepository();
    sandbox = new SandboxFake();
    events = new SubmissionEventsPublisherFake();
    metrics = new GraderMetrics();
    sut = new GradingService(
      submissions,
      new AssignmentTestsCache(assignments),
      sandbox,
      events,
      metrics,
      {
        attempts: 4,
        initialDelayMs: 1,
        maxDelayMs: 2,
      },
    );
  });

  function queued(assignmentOverrides = {}, submissionOverrides = {}) {
    const assignment = assignments.add(assignmentOverrides);
    const submission = submissions.add({
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
      ...submissionOverrides,
    });
    return { assignment, submission };
  }

  it('runs the code against the hidden tests and commits a passing verdict', async () => {
    const { submission } = queued({
      moduleName: 'greeting',
      testCode: 'TESTS',
      limits: { cpuSeconds: 1 },
    });

    await sut.grade({ submissionId: submission.id });

    assert.equal(sandbox.jobs.length, 1);
    assert.deepEqual(sandbox.jobs[0], {
      code: submission.code,
      moduleName: 'greeting',
      testCode: 'TESTS',
      limits: { ...DEFAULT_LIMITS, cpuSeconds: 1 },
    });
    const row = submissions.rows.get(submission.id)!;
    assert.equal(row.status, 'passed');
    assert.equal(row.verdict, 'passed');
    assert.equal(row.attempts, 1);
    assert.equal(row.gradingMs, 2);
  });

  it('runs a program assignment as a program, its cases as the tests', async () => {
    const cases =
      '{"compare":"exact","cases":[{"name":"a","stdin":"1\\n","stdout":"2\\n","visible":true}]}';
    const { submission } = queued({ kind: 'program', moduleName: 'main', testCode: cases });

    await sut.grade({ submissionId: submission.id });

    assert.deepEqual(sandbox.jobs[0], {
      kind: 'program',
      code: submission.code,
      moduleName: 'main',
      testCode: cases,
      limits: DEFAULT_LIMITS,
    });
  });

  it('publishes grading, then graded with the final status', async () => {
    const { submission } = queued();
    sandbox.respondWith(() => ({
      verdict: 'tests_failed',
      feedback: feedbackFor('tests_failed'),
      durationMs: 3,
    }));

    await sut.grade({ submissionId: submission.id });

    assert.deepEqual(events.published, [
      {
        event: SUBMISSION_GRADING,
        submissionId: submission.id,
        userId: submission.userId,
        status: 'grading',
      },
      {
        event: SUBMISSION_GRADED,
        submissionId: submission.id,
        userId: submission.userId,
        status: 'failed',
      },
    ]);
    assert.equal(submissions.rows.get(submission.id)!.verdict, 'tests_failed');
    assert.equal(await metrics.value('koodi_grader_jobs_total', { verdict: 'tests_failed' }), 1);
  });

  it('acknowledges a redelivered job of a finished submission without running it again', async () => {
    const { submission } = queued();
    await sut.grade({ submissionId: submission.id });
    const before = structuredClone(submissions.rows.get(submission.id));

    await sut.grade({ submissionId: submission.id });

    assert.equal(sandbox.jobs.length, 1);
    assert.equal(submissions.commits.length, 1);
    assert.deepEqual(submissions.rows.get(submission.id), before);
    assert.equal(events.published.length, 2);
    assert.equal(
      await metrics.value('koodi_grader_jobs_skipped_total', { reason: 'already_final' }),
      1,
    );
  });

  it('finishes the identical submissions that joined the graded one, with an event each', async () => {
    const { submission } = queued();
    const joined = submissions.add({
      assignmentId: submission.assignmentId,
      duplicateOf: submission.id,
    });

    await sut.grade({ submissionId: submission.id });

    assert.equal(submissions.rows.get(joined.id)!.status, 'passed');
    const graded = events.published
      .filter((e) => e.event === SUBMISSION_GRADED)
      .map((e) => e.submissionId);
    assert.deepEqual(graded.sort(), [submission.id, joined.id].sort());
  });

  it('case 36: a verdict from a sandbox the job changed is stored as such and not given to the rows that joined it', async () => {
    const { submission } = queued();
    const joined = submissions.add({
      assignmentId: submission.assignmentId,
      duplicateOf: submission.id,
    });
    sandbox.respondWith(() => ({
      verdict: 'tests_failed',
      feedback: feedbackFor('tests_failed'),
      durationMs: 3,
      slotIntact: false,
    }));

    await sut.grade({ submissionId: submission.id });

    assert.equal(submissions.commits[0].result.slotIntact, false);
    assert.equal(submissions.rows.get(submission.id)!.slotIntact, false);
    const other = submissions.rows.get(joined.id)!;
    assert.equal(other.status, 'queued');
    assert.equal(other.duplicateOf, null);
  });

  it('rejects when the sandbox fails on our side, so the queue delivers the job again', async () => {
    const { submission } = queued();
    sandbox.respondWith(() => {
      throw new SandboxCrashFake();
    });

    await assert.rejects(sut.grade({ submissionId: submission.id }), { name: 'SandboxCrashError' });

    assert.equal(submissions.rows.get(submission.id)!.status, 'grading');
    assert.equal(submissions.commits.length, 0);
    assert.equal(
      await metrics.value('koodi_grader_sandbox_failures_total', { error: 'SandboxCrashError' }),
      1,
    );
    assert.equal(await metrics.value('koodi_grader_sandbox_slots_busy'), 0);
  });

  it('grades a retried job after a sandbox failure', async () => {
    const { submission } = queued();
    sandbox.respondWith(() => {
      throw new SandboxCrashFake();
    });
    await assert.rejects(sut.grade({ submissionId: submission.id }));
    sandbox.respondWith(() => ({
      verdict: 'passed',
      feedback: feedbackFor('passed'),
      durationMs: 1,
    }));

    await sut.grade({ submissionId: submission.id });

    const row = submissions.rows.get(submission.id)!;
    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 2);
  });

  it('retries a verdict write that lost its database connection without running the sandbox again', async () => {
    const { submission } = queued();
    submissions.commitFailures.push(connectionLost(), adminShutdown());

    await sut.grade({ submissionId: submission.id });

    assert.equal(sandbox.jobs.length, 1);
    assert.equal(submissions.commits.length, 1);
    assert.equal(submissions.rows.get(submission.id)!.status, 'passed');
    assert.equal(await metrics.value('koodi_grader_db_retries_total'), 2);
  });

  it('retries claiming a submission through a brief database outage', async () => {
    const { submission } = queued();
    const claim = submissions.claimForGrading.bind(submissions);
    let failures = 2;
    submissions.claimForGrading = async (id) => {
      if (failures-- > 0)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
          code: 'ECONNREFUSED',
        });
      return claim(id);
    };

    await sut.grade({ submissionId: submission.id });

    const row = submissions.rows.get(submission.id)!;
    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 1);
    assert.equal(await metrics.value('koodi_grader_db_retries_total'), 2);
  });

  it('does not retry a verdict write the database refuses for good', async () => {
    const { submission } = queued();
    submissions.commitFailures.push(
      Object.assign(new Error('check constraint violated'), { code: '23514' }),
    );

    await assert.rejects(sut.grade({ submissionId: submission.id }), /check constraint/);

    assert.equal(await metrics.value('koodi_grader_db_retries_total'), 0);
  });

  it('rejects once the database stays away longer than the retry policy allows', async () => {
    const { submission } = queued();
    submissions.commitFailures.push(
      connectionLost(),
      connectionLost(),
      connectionLost(),
      connectionLost(),
    );

    await assert.rejects(sut.grade({ submissionId: submission.id }), /Connection terminated/);

    assert.equal(submissions.rows.get(submission.id)!.status, 'grading');
  });

  it('ends a submission the queue gave up on as our error, saying it does not count', async () => {
    const { submission } = queued();

    await sut.giveUp({ submissionId: submission.id }, new SandboxCrashFake());

    const row = submissions.rows.get(submission.id)!;
    assert.equal(row.status, 'error');
    assert.equal(row.verdict, 'internal_error');
    assert.match(row.feedback!.summary, /our side/);
    assert.match(row.feedback!.summary, /not count/);
    assert.deepEqual(row.feedback, GAVE_UP_FEEDBACK, "the reconciler's give-up text too");
    assert.deepEqual(events.published.at(-1), {
      event: SUBMISSION_GRADED,
      submissionId: submission.id,
      userId: submission.userId,
      status: 'error',
    });
  });

  it('leaves a finished submission alone when the queue gives up on a stale copy of its job', async () => {
    const { submission } = queued();
    await sut.grade({ submissionId: submission.id });

    await sut.giveUp({ submissionId: submission.id });

    assert.equal(submissions.rows.get(submission.id)!.status, 'passed');
    assert.equal(events.published.filter((e) => e.event === SUBMISSION_GRADED).length, 1);
  });

  it('gives up without running a submission that was started too many times', async () => {
    const { submission } = queued({}, { attempts: MAX_RECORDED_ATTEMPTS, status: 'grading' });

    await sut.grade({ submissionId: submission.id });

    assert.equal(sandbox.jobs.length, 0);
    assert.equal(submissions.rows.get(submission.id)!.verdict, 'internal_error');
    assert.deepEqual(submissions.rows.get(submission.id)!.feedback, GAVE_UP_FEEDBACK);
  });

  for (const job of [{}, { submissionId: 42 }, { submissionId: 'not-a-uuid' }, null]) {
    it(`acknowledges a malformed job ${JSON.stringify(job)} without touching anything`, async () => {
      queued();
      await sut.grade(job as never);
      assert.equal(sandbox.jobs.length, 0);
      assert.equal(submissions.commits.length, 0);
      assert.equal(
        await metrics.value('koodi_grader_jobs_skipped_total', { reason: 'malformed_job' }),
        1,
      );
    });
  }

  it('loads the hidden tests of an assignment version once', async () => {
    const { assignment } = queued();
    const second = submissions.add({
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
    });
    const [first] = submissions.rows.keys();

    await sut.grade({ submissionId: first });
    await sut.grade({ submissionId: second.id });

    assert.equal(assignments.lookups, 1);
    assert.equal(sandbox.jobs.length, 2);
  });

  it('grades against the new tests once the assignment has a new version', async () => {
    const { assignment, submission } = queued({ testCode: 'OLD' });
    await sut.grade({ submissionId: submission.id });
    assignments.rows.get(assignment.id)!.testCode = 'NEW';
    assignments.rows.get(assignment.id)!.version = 'v2';
    const next = submissions.add({ assignmentId: assignment.id, assignmentVersion: 'v2' });

    await sut.grade({ submissionId: next.id });

    assert.deepEqual(
      sandbox.jobs.map((job) => job.testCode),
      ['OLD', 'NEW'],
    );
  });

  it('still commits and acknowledges when events cannot be published', async () => {
    const { submission } = queued();
    events.failing = true;

    await sut.grade({ submissionId: submission.id });

    assert.equal(submissions.rows.get(submission.id)!.status, 'passed');
    assert.equal(await metrics.value('koodi_grader_event_publish_failures_total'), 2);
  });

  it('rejects a job whose assignment cannot be found, leaving the submission in flight', async () => {
    const submission = submissions.add();

    await assert.rejects(sut.grade({ submissionId: submission.id }), /not found/);

    assert.equal(submissions.rows.get(submission.id)!.status, 'grading');
  });
});
