import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GRADING_ATTEMPTS } from '@koodi/contracts';
import { SandboxCrashError, SandboxPool } from '@koodi/sandbox';
import { createGrader, type Grader } from '../app/grader.app';
import type { SandboxJob, SandboxOutcome, SandboxRunner } from '../app/sandbox/sandbox.port';
import { GradingFixtures, PASSING, testConfig, uniqueQueue } from './grading.fixtures';

const CRASH = '# takes the sandbox down';

/**
 * Student code cannot take a zygote down (docs/SECURITY.md case 11 holds), so the fault is injected: the real
 * pool grades everything except jobs carrying the marker, which fail as a dead zygote would.
 */
class CrashingSandbox implements SandboxRunner {
  crashes = 0;
  constructor(private readonly pool: SandboxPool) {}
  start() {
    return this.pool.start();
  }
  close() {
    return this.pool.close();
  }
  stats() {
    return this.pool.stats();
  }
  async run(job: SandboxJob): Promise<SandboxOutcome> {
    if (job.code.includes(CRASH)) {
      this.crashes += 1;
      throw new SandboxCrashError('sandbox 0: zygote exited with signal SIGKILL');
    }
    return this.pool.run(job);
  }
}

describe('case 19: a job that crashes its sandbox every time', () => {
  const queue = uniqueQueue('h19');
  let fixtures: GradingFixtures;
  let grader: Grader;
  let sandbox: CrashingSandbox;

  before(async () => {
    fixtures = await GradingFixtures.open(queue);
    sandbox = new CrashingSandbox(new SandboxPool({ slots: 2 }));
    grader = await createGrader(testConfig(queue), { sandbox });
    await grader.app.listen();
  });

  after(async () => {
    await grader?.app.close();
    await fixtures?.close();
  });

  it(`ends as error after ${MAX_GRADING_ATTEMPTS} attempts while other jobs keep being graded`, async () => {
    const assignment = await fixtures.assignment();
    const doomed = await fixtures.submission(assignment, `${PASSING}${CRASH}\n`);
    const others = [];
    for (let i = 0; i < 4; i++)
      others.push(await fixtures.submission(assignment, `${PASSING}# ${i}\n`));

    await fixtures.enqueue(doomed.id);
    for (const other of others) await fixtures.enqueue(other.id);

    const row = await fixtures.waitForFinal(doomed.id);
    assert.equal(row.status, 'error');
    assert.equal(row.verdict, 'internal_error');
    assert.equal(row.attempts, MAX_GRADING_ATTEMPTS);
    assert.match(row.feedback!.summary, /our side/);
    assert.equal(sandbox.crashes, MAX_GRADING_ATTEMPTS);
    for (const other of others)
      assert.equal((await fixtures.waitForFinal(other.id)).status, 'passed');
    assert.deepEqual(await fixtures.settledQueue({ queued: 0, processing: 0, dead: 1 }), {
      queued: 0,
      processing: 0,
      dead: 1,
    });
  });
});
