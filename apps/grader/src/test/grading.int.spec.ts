import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { SUBMISSION_EVENTS_CHANNEL, type SubmissionEvent } from '@koodi/contracts';
import { insertSubmissionRow } from '@koodi/db/testing';
import { createGrader, type Grader } from '../app/grader.app';
import {
  FAILING,
  GradingFixtures,
  PASSING,
  redisUrl,
  sleepingThenPassing,
  testConfig,
  uniqueQueue,
} from './grading.fixtures';
import { GradingService } from '../app/grading/grading.service';

describe(`${GradingService.name} through the real queue, sandbox and database`, () => {
  const queue = uniqueQueue('e2e');
  let fixtures: GradingFixtures;
  let grader: Grader;
  let subscriber: Redis;
  const events: SubmissionEvent[] = [];

  before(async () => {
    fixtures = await GradingFixtures.open(queue);
    // A short lease, so a job longer than the lease itself is exercised (docs/SECURITY.md case 20).
    grader = await createGrader(testConfig(queue, { heartbeatTtlMs: 1_500 }));
    await grader.app.listen();
    subscriber = new Redis(redisUrl());
    await subscriber.subscribe(SUBMISSION_EVENTS_CHANNEL);
    subscriber.on('message', (_channel, message: string) => events.push(JSON.parse(message)));
  });

  after(async () => {
    await grader?.app.close();
    subscriber?.disconnect();
    await fixtures?.close();
  });

  const eventsOf = (id: string) =>
    events.filter((e) => e.submissionId === id).map((e) => `${e.event}:${e.status}`);

  it('grades a passing submission end to end and publishes its events', async () => {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, PASSING);

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'passed');
    assert.equal(row.verdict, 'passed');
    assert.equal(row.attempts, 1);
    assert.equal(row.feedback?.tests.length, 1);
    assert.equal(row.feedback?.tests[0].outcome, 'passed');
    assert.ok(row.gradedAt && row.gradingMs !== null);
    await fixtures.waitFor(async () => eventsOf(submission.id).length === 2, 'both events');
    assert.deepEqual(eventsOf(submission.id), [
      'submission.grading:grading',
      'submission.graded:passed',
    ]);
    assert.equal(events.find((e) => e.submissionId === submission.id)?.userId, submission.userId);
  });

  it('grades a failing submission with the failing test and its message', async () => {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, FAILING);

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'failed');
    assert.equal(row.verdict, 'tests_failed');
    assert.equal(row.feedback?.tests[0].outcome, 'failed');
    assert.match(row.feedback?.tests[0].message ?? '', /Goodbye/);
  });

  it('applies the assignment limits: a slow solution fails on the wall clock', async () => {
    const assignment = await fixtures.assignment(undefined, { wallSeconds: 1 });
    const submission = await fixtures.submission(assignment, sleepingThenPassing(30));

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.verdict, 'time_limit_wall');
    assert.equal(row.status, 'failed');
  });

  // docs/SECURITY.md, cases 40 and 41: output PostgreSQL's jsonb would refuse, and forged result
  // lines by the tens of thousands, still end in one stored verdict on the first attempt.
  it('case 40: a NUL in the output and a lone surrogate in a message are stored on the first attempt', async () => {
    const assignment = await fixtures.assignment();
    const code =
      "def hello():\n    print('\\x00 and \\ud800')\n    raise ValueError('\\ud800\\x00')\n";
    const submission = await fixtures.submission(assignment, code);

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.verdict, 'tests_failed', row.feedback?.summary);
    assert.equal(row.attempts, 1);
    assert.match(row.feedback?.output ?? '', /\ufffd and/);
    assert.match(row.feedback?.tests[0].message ?? '', /ValueError: \ufffd\ufffd/);
  });

  it('case 41: 80,000 forged result lines are stored as at most 1,000 tests', async () => {
    const assignment = await fixtures.assignment();
    const code =
      'import os\ndef hello():\n    os.write(3, b\'{"e":"test"}\\n\' * 80000)\n    return \'Hello\'\n';
    const submission = await fixtures.submission(assignment, code);

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.attempts, 1);
    assert.equal(row.verdict, 'tests_failed', row.feedback?.summary);
    assert.ok(
      (row.feedback?.tests.length ?? 0) <= 1000,
      `${row.feedback?.tests.length} tests stored`,
    );
    assert.ok(Buffer.byteLength(JSON.stringify(row.feedback)) <= 300 * 1024);
  });

  it('gives one verdict when the same job is delivered twice; the second run changes nothing', async () => {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, PASSING);
    await fixtures.enqueue(submission.id);
    const first = await fixtures.waitForFinal(submission.id);

    await fixtures.enqueue(submission.id);
    await fixtures.waitFor(async () => {
      const lengths = await fixtures.queueLengths();
      return lengths.queued === 0 && lengths.processing === 0;
    }, 'the second delivery to be acknowledged');

    const second = (await fixtures.submissions.findById(submission.id))!;
    assert.deepEqual(second, first);
    assert.equal(
      eventsOf(submission.id).filter((e) => e.startsWith('submission.graded')).length,
      1,
    );
  });

  it('finishes the identical submissions that joined one in flight', async () => {
    const assignment = await fixtures.assignment();
    const original = await fixtures.submission(assignment, PASSING);
    const user = await fixtures.users.create();
    const joined = await insertSubmissionRow(fixtures.dataSource, {
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
      userId: user.id,
      code: original.code,
      codeSha256: original.codeSha256,
      duplicateOf: original.id,
    });

    await fixtures.enqueue(original.id);
    await fixtures.waitForFinal(original.id);
    const row = await fixtures.waitForFinal(joined.id, 1_000);

    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 0);
    await fixtures.waitFor(
      async () => eventsOf(joined.id).includes('submission.graded:passed'),
      'the joined event',
    );
  });

  // docs/SECURITY.md case 20: the lease is 1.5 s, refreshed every 500 ms; the job takes 2.5 s.
  it('case 20: does not re-run a legitimate job that outlasts the heartbeat interval', async () => {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, sleepingThenPassing(2.5));

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 1);
    assert.ok(row.gradingMs! >= 2_500, `graded in ${row.gradingMs} ms`);
    assert.deepEqual(await fixtures.settledQueue({ queued: 0, processing: 0, dead: 0 }), {
      queued: 0,
      processing: 0,
      dead: 0,
    });
  });
});
