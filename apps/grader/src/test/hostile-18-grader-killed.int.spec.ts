import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  SUBMISSION_EVENTS_CHANNEL,
  SUBMISSION_GRADED,
  type SubmissionEvent,
} from '@koodi/contracts';
import { createGrader, type Grader } from '../app/grader.app';
import {
  GradingFixtures,
  redisUrl,
  sleepingThenPassing,
  testConfig,
  uniqueQueue,
} from './grading.fixtures';
import { killGraderProcess, startGraderProcess, type GraderProcess } from './grader.process';

describe('case 18: a grader SIGKILLed mid-job', () => {
  const queue = uniqueQueue('h18');
  let fixtures: GradingFixtures;
  let victim: GraderProcess | undefined;
  let survivor: Grader | undefined;
  let subscriber: Redis;
  const graded: SubmissionEvent[] = [];

  before(async () => {
    fixtures = await GradingFixtures.open(queue);
    subscriber = new Redis(redisUrl());
    await subscriber.subscribe(SUBMISSION_EVENTS_CHANNEL);
    subscriber.on('message', (_channel, message: string) => {
      const event = JSON.parse(message) as SubmissionEvent;
      if (event.event === SUBMISSION_GRADED) graded.push(event);
    });
  });

  after(async () => {
    await killGraderProcess(victim);
    await survivor?.app.close();
    subscriber?.disconnect();
    await fixtures?.close();
  });

  // The survivor even has the victim's GRADER_ID, as a restarted container would.
  it('re-runs the job after the lease expires, with exactly one verdict', async () => {
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, sleepingThenPassing(2));
    victim = await startGraderProcess({
      GRADING_QUEUE: queue,
      HEARTBEAT_TTL_MS: '1000',
      GRADER_ID: 'h18-grader',
    });

    await fixtures.enqueue(submission.id);
    await fixtures.waitFor(
      async () => (await fixtures.submissions.findById(submission.id))!.status === 'grading',
      'the victim to start the job',
    );
    victim.child.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');
    assert.equal((await fixtures.submissions.findById(submission.id))!.status, 'grading');

    survivor = await createGrader(
      testConfig(queue, { heartbeatTtlMs: 2_000, graderId: 'h18-grader' }),
    );
    await survivor.app.listen();
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 2, 'the victim started it once, the survivor once more');
    assert.deepEqual(await fixtures.settledQueue({ queued: 0, processing: 0, dead: 0 }), {
      queued: 0,
      processing: 0,
      dead: 0,
    });
    assert.equal(graded.filter((e) => e.submissionId === submission.id).length, 1);
  });
});
