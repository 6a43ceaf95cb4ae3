import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lastValueFrom } from 'rxjs';
import { DEFAULT_LIMITS, RUN_CODE, type RunCodeJob, type RunResult } from '@koodi/contracts';
import { createRedis, QueueInspector, RedisListClient, type RedisClient } from '@koodi/queue';
import { createGrader, type Grader } from '../app/grader.app';
import { SandboxFake } from '../app/sandbox/sandbox.mock';
import {
  GradingFixtures,
  HELLO_TESTS,
  redisUrl,
  runQueueOf,
  testConfig,
  uniqueQueue,
} from './grading.fixtures';
import { killGraderProcess, startGraderProcess, type GraderProcess } from './grader.process';

/** A Run's grader SIGKILLed mid-run: the caller's wait ends, and nobody runs it again. */
describe('the Run lane when a grader is SIGKILLed mid-run', () => {
  const queue = uniqueQueue('run-killed');
  const runQueue = runQueueOf(queue);
  let fixtures: GradingFixtures;
  let victim: GraderProcess | undefined;
  let survivor: Grader | undefined;
  let client: RedisListClient;
  let redis: RedisClient;

  before(async () => {
    fixtures = await GradingFixtures.open(queue);
    redis = createRedis(redisUrl(), { lazyConnect: false });
    client = new RedisListClient({ redisUrl: redisUrl(), queue: runQueue, sendTimeoutMs: 2_500 });
    await client.connect();
  });

  after(async () => {
    await killGraderProcess(victim);
    await survivor?.app.close();
    await client?.close();
    redis?.disconnect();
    await fixtures?.close();
  });

  it('rejects the caller at its timeout, and the run handed to the next grader is not run again', async () => {
    victim = await startGraderProcess({
      GRADING_QUEUE: queue,
      RUN_QUEUE: runQueue,
      RUN_SLOTS: '1',
      HEARTBEAT_TTL_MS: '1000',
    });
    const sandbox = new SandboxFake();

    const job: RunCodeJob = {
      kind: 'function',
      code: 'import time\ntime.sleep(10)\n',
      stdin: '',
      moduleName: 'greeting',
      testCode: HELLO_TESTS,
      limits: { ...DEFAULT_LIMITS, wallSeconds: 10 },
      deadline: Date.now() + 2_000,
    };
    const answer = lastValueFrom(client.send<RunResult, RunCodeJob>(RUN_CODE, job));
    const inspector = new QueueInspector(redis, runQueue);
    await fixtures.waitFor(
      async () => Object.values(await inspector.inFlight()).some((n) => n > 0),
      'the victim to take the run',
    );
    victim.child.kill('SIGKILL');
    assert.equal((await victim.exited).signal, 'SIGKILL');

    const started = Date.now();
    await assert.rejects(answer, /No response to .* within 2500 ms/);
    assert.ok(Date.now() - started < 3_000, 'the caller waited no longer than its timeout');

    // Another grader reaps the dead one's run back and takes it: past its deadline, not run.
    survivor = await createGrader(testConfig(queue, { runSlots: 1, heartbeatTtlMs: 1_000 }), {
      sandbox,
    });
    await survivor.app.listen();
    await fixtures.waitFor(
      async () =>
        (await redis.llen(runQueue)) === 0 &&
        Object.values(await inspector.inFlight()).every((n) => n === 0),
      'the run to leave the lane',
      15_000,
    );
    assert.equal(sandbox.jobs.length, 0, 'nobody ran it again');
    assert.equal(await redis.llen(`${runQueue}:dead`), 0);
  });
});
