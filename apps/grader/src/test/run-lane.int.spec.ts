import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lastValueFrom } from 'rxjs';
import { DEFAULT_LIMITS, RUN_CODE, type RunCodeJob, type RunResult } from '@koodi/contracts';
import { RedisListClient } from '@koodi/queue';
import { createGrader, type Grader } from '../app/grader.app';
import { RunLaneServer } from '../app/runs/run-lane.server';
import {
  FAILING,
  GradingFixtures,
  HELLO_TESTS,
  PASSING,
  runQueueOf,
  sleepingThenPassing,
  testConfig,
  uniqueQueue,
} from './grading.fixtures';

/** The Run lane of a real grader: its own queue, request-response, the real sandbox. */
describe(RunLaneServer.name, () => {
  const queue = uniqueQueue('runs');
  const runQueue = runQueueOf(queue);
  let fixtures: GradingFixtures;
  let grader: Grader;
  let client: RedisListClient;

  const job = (overrides: Partial<RunCodeJob> = {}): RunCodeJob => ({
    kind: 'function',
    code: PASSING,
    stdin: '',
    moduleName: 'greeting',
    testCode: HELLO_TESTS,
    limits: DEFAULT_LIMITS,
    deadline: Date.now() + 10_000,
    ...overrides,
  });
  const run = (data: RunCodeJob) =>
    lastValueFrom(client.send<RunResult, RunCodeJob>(RUN_CODE, data));

  before(async () => {
    fixtures = await GradingFixtures.open(queue);
    grader = await createGrader(testConfig(queue, { runSlots: 1 }));
    await grader.app.listen();
    client = new RedisListClient({
      redisUrl: process.env.REDIS_URL ?? '',
      queue: runQueue,
      sendTimeoutMs: 10_000,
    });
    await client.connect();
  });

  after(async () => {
    await client?.close();
    await grader?.app.close();
    await fixtures?.close();
  });

  it('answers a run with the verdict of the samples and per-test results', async () => {
    const passed = await run(job());
    const failed = await run(job({ code: FAILING }));

    assert.equal(passed.verdict, 'passed');
    assert.deepEqual(
      passed.feedback.tests.map((t) => [t.name, t.outcome]),
      [['HelloTests.test_returns_hello', 'passed']],
    );
    assert.equal(failed.verdict, 'tests_failed');
    assert.match(failed.feedback.tests[0]?.message ?? '', /Goodbye/);
  });

  it('gives the program its stdin and shows what it printed, with no samples at all', async () => {
    const result = await run(
      job({ code: 'name = input()\nprint(f"Hello, {name}!")\n', testCode: '', stdin: 'Ada\n' }),
    );

    assert.equal(result.verdict, 'passed');
    assert.equal(result.feedback.output, 'Hello, Ada!\n');
    assert.equal(result.feedback.tests.length, 0);
    const broken = await run(job({ code: 'print("one"\n', testCode: '' }));
    assert.equal(broken.verdict, 'syntax_error');
  });

  it('runs a program on its sample cases and on the student’s own stdin, that one not compared', async () => {
    const samples = JSON.stringify({
      compare: 'exact',
      cases: [
        { name: 'one line', stdin: '1 2\n', stdout: '3\n', visible: true },
        { name: 'two lines', stdin: '1 1\n2 3\n', stdout: '2\n5\n', visible: true },
      ],
    });
    const code =
      'import sys\nfor line in sys.stdin:\n    print(sum(int(x) for x in line.split()))\n';
    const program = (overrides: Partial<RunCodeJob>) =>
      run(job({ kind: 'program', moduleName: 'main', testCode: samples, code, ...overrides }));

    const solved = await program({ stdin: '10 20 30\n' });
    const wrong = await program({ code: 'print(0)\n' });

    assert.equal(solved.verdict, 'passed');
    assert.deepEqual(
      solved.feedback.tests.map((t) => [t.name, t.outcome]),
      [
        ['one line', 'passed'],
        ['two lines', 'passed'],
      ],
    );
    assert.equal(solved.feedback.output, '60\n');
    assert.equal(wrong.verdict, 'tests_failed');
    assert.match(wrong.feedback.tests[0]?.message ?? '', /Line 1 differs/);
  });

  it('runs while every grading slot is busy with a backlog of graded jobs', async () => {
    const assignment = await fixtures.assignment();
    const slow = await Promise.all(
      Array.from({ length: 6 }, () => fixtures.submission(assignment, sleepingThenPassing(1))),
    );
    for (const submission of slow) await fixtures.enqueue(submission.id);
    await fixtures.waitFor(async () => {
      const rows = await Promise.all(slow.map((s) => fixtures.submissions.findById(s.id)));
      return rows.filter((row) => row?.status === 'grading').length === 2;
    }, 'both grading slots busy');

    const started = Date.now();
    const result = await run(job());
    const tookMs = Date.now() - started;

    assert.equal(result.verdict, 'passed');
    // Six one-second jobs on two slots take three seconds; the run waits for none of them.
    assert.ok(tookMs < 900, `the run took ${tookMs} ms behind the graded backlog`);
    for (const submission of slow) await fixtures.waitForFinal(submission.id);
  });

  it('answers a run past its deadline with an error instead of running it', async () => {
    await assert.rejects(run(job({ deadline: Date.now() - 1 })), {
      name: 'RunExpiredError',
      message: /past its deadline/,
    });
  });

  it('writes nothing to the submissions table', async () => {
    const before = await fixtures.dataSource.query('SELECT count(*)::int AS n FROM submissions');
    await run(job());
    const afterRows = await fixtures.dataSource.query('SELECT count(*)::int AS n FROM submissions');

    assert.deepEqual(afterRows, before);
  });
});
