import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubmissionStore } from '../app/grading/grading.service';
import { createGrader, type Grader } from '../app/grader.app';
import { GraderMetrics } from '../app/ops/grader.metrics';
import {
  databaseUrl,
  GradingFixtures,
  PASSING,
  sleepingThenPassing,
  testConfig,
  uniqueQueue,
} from './grading.fixtures';
import { TcpProxy } from './tcp-proxy';

describe('case 22: Postgres unavailable during the verdict write', () => {
  const queue = uniqueQueue('h22');
  let fixtures: GradingFixtures;
  let grader: Grader | undefined;
  let proxy: TcpProxy | undefined;

  beforeEach(async () => {
    fixtures = await GradingFixtures.open(queue);
  });

  afterEach(async () => {
    await proxy?.cut();
    await grader?.app.close();
    grader = undefined;
    await fixtures.close();
  });

  it('retries a write whose connection was lost, without grading again, and commits one verdict', async () => {
    let failed = 0;
    let commits = 0;
    const flaky = (real: SubmissionStore): SubmissionStore => ({
      claimForGrading: (id) => real.claimForGrading(id),
      commitVerdict: async (id, result) => {
        commits += 1;
        if (failed < 2) {
          failed += 1;
          throw Object.assign(new Error('terminating connection due to administrator command'), {
            code: '57P01',
          });
        }
        return real.commitVerdict(id, result);
      },
    });
    grader = await createGrader(testConfig(queue), {
      submissions: flaky,
      retryPolicy: { attempts: 5, initialDelayMs: 50, maxDelayMs: 200 },
    });
    await grader.app.listen();
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, PASSING);

    await fixtures.enqueue(submission.id);
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 1, 'the sandbox ran once');
    assert.equal(commits, 3);
    assert.equal(await grader.app.get(GraderMetrics).value('koodi_grader_db_retries_total'), 2);
  });

  it('rides out a real outage of the database connection while the sandbox runs', async () => {
    const target = new URL(databaseUrl());
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    grader = await createGrader(testConfig(queue, { databaseUrl: proxy.rewrite(databaseUrl()) }), {
      retryPolicy: { attempts: 20, initialDelayMs: 100, maxDelayMs: 500 },
    });
    await grader.app.listen();
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, sleepingThenPassing(1));

    await fixtures.enqueue(submission.id);
    await fixtures.waitFor(
      async () => (await fixtures.submissions.findById(submission.id))!.status === 'grading',
      'the job to start',
    );
    await proxy.cut();
    // Down for longer than the sandbox run, so the verdict write meets the outage.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal((await fixtures.submissions.findById(submission.id))!.status, 'grading');
    await proxy.start();
    const row = await fixtures.waitForFinal(submission.id);

    assert.equal(row.status, 'passed');
    assert.equal(row.attempts, 1, 'the sandbox ran once');
    assert.ok((await grader.app.get(GraderMetrics).value('koodi_grader_db_retries_total')) > 0);
    assert.deepEqual(await fixtures.settledQueue({ queued: 0, processing: 0, dead: 0 }), {
      queued: 0,
      processing: 0,
      dead: 0,
    });
  });
});
