import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createGrader, type Grader } from '../app/grader.app';
import { GradingFixtures, sleepingThenPassing, testConfig, uniqueQueue } from './grading.fixtures';
import { killGraderProcess, startGraderProcess, type GraderProcess } from './grader.process';

describe('case 23: SIGTERM to a grader mid-job', () => {
  let fixtures: GradingFixtures;
  let queue: string;
  let victim: GraderProcess | undefined;
  let successor: Grader | undefined;

  beforeEach(async () => {
    queue = uniqueQueue('h23');
    fixtures = await GradingFixtures.open(queue);
  });

  afterEach(async () => {
    await killGraderProcess(victim);
    await successor?.app.close();
    successor = undefined;
    await fixtures.close();
  });

  async function startedJob(seconds: number, env: Record<string, string> = {}) {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, sleepingThenPassing(seconds));
    victim = await startGraderProcess({
      GRADING_QUEUE: queue,
      GRADER_ID: `h23-${Date.now()}`,
      ...env,
    });
    await fixtures.enqueue(submission.id);
    await fixtures.waitFor(
      async () => (await fixtures.submissions.findById(submission.id))!.status === 'grading',
      'the job to start',
    );
    return submission;
  }

  it('finishes the job in hand, takes no more, and exits 0', async () => {
    const submission = await startedJob(1);
    const assignment = await fixtures.assignment();
    const later = await fixtures.submission(assignment, sleepingThenPassing(0));

    victim!.child.kill('SIGTERM');
    await fixtures.enqueue(later.id);
    const exit = await victim!.exited;

    assert.deepEqual(exit, { code: 0, signal: null }, victim!.output());
    const row = (await fixtures.submissions.findById(submission.id))!;
    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 1);
    assert.equal(
      (await fixtures.submissions.findById(later.id))!.status,
      'queued',
      'not taken after SIGTERM',
    );
    assert.deepEqual(await fixtures.queueLengths(), { queued: 1, processing: 0, dead: 0 });
  });

  it('hands back a job it cannot finish before its deadline; another grader grades it once', async () => {
    const submission = await startedJob(2, { SHUTDOWN_GRACE_SECONDS: '0' });

    victim!.child.kill('SIGTERM');
    const exit = await victim!.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, victim!.output());
    successor = await createGrader(testConfig(queue));
    await successor.app.listen();
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'passed');
    assert.deepEqual(await fixtures.settledQueue({ queued: 0, processing: 0, dead: 0 }), {
      queued: 0,
      processing: 0,
      dead: 0,
    });
  });
});
