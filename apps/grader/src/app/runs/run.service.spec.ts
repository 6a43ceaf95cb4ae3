import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { DEFAULT_LIMITS, MAX_LIMITS, type RunCodeJob } from '@koodi/contracts';
import { feedbackFor, SandboxCrashFake, SandboxFake } from '../sandbox/sandbox.mock';
import { NO_SAMPLES_SUMMARY, RunExpiredError, RunService } from './run.service';

Logger.overrideLogger(false);

describe(RunService.name, () => {
  let sandbox: SandboxFake;
  let sut: RunService;
  const job = (overrides: Partial<RunCodeJob> = {}): RunCodeJob => ({
    code: 'def hello():\n    return "Hello"\n',
    stdin: '',
    moduleName: 'greeting',
    testCode: 'SAMPLES',
    limits: DEFAULT_LIMITS,
    deadline: Date.now() + 10_000,
    ...overrides,
  });

  beforeEach(() => {
    sandbox = new SandboxFake();
    sut = new RunService(sandbox);
  });

  it('runs the code against the samples of the job and answers the verdict and feedback', async () => {
    const result = await sut.run(job());

    assert.deepEqual(sandbox.jobs, [
      {
        code: 'def hello():\n    return "Hello"\n',
        moduleName: 'greeting',
        testCode: 'SAMPLES',
        limits: DEFAULT_LIMITS,
      },
    ]);
    assert.deepEqual(result, {
      verdict: 'passed',
      feedback: feedbackFor('passed', 'All 1 tests passed.'),
      durationMs: 2,
    });
  });

  it('gives the program its stdin', async () => {
    await sut.run(job({ stdin: 'Ada\n' }));

    assert.equal(sandbox.jobs[0]?.stdin, 'Ada\n');
  });

  it('says the code ran when the assignment has no samples (the sandbox finds no test to run)', async () => {
    sandbox.respondWith(() => ({
      verdict: 'internal_error',
      feedback: { ...feedbackFor('internal_error'), output: 'hi\n' },
      durationMs: 4,
    }));

    const result = await sut.run(job({ testCode: '' }));

    assert.equal(result.verdict, 'passed');
    assert.equal(result.feedback.summary, NO_SAMPLES_SUMMARY);
    assert.equal(result.feedback.output, 'hi\n');
  });

  it('keeps a syntax error a syntax error when there are no samples', async () => {
    sandbox.respondWith(() => ({
      verdict: 'syntax_error',
      feedback: feedbackFor('syntax_error'),
      durationMs: 4,
    }));

    assert.equal((await sut.run(job({ testCode: '' }))).verdict, 'syntax_error');
  });

  it('holds the limits of a job to what any assignment may ask for', async () => {
    await sut.run(
      job({
        limits: { cpuSeconds: 1_000, wallSeconds: 1_000, memoryMb: 100_000, outputKb: 100_000 },
      }),
    );

    assert.deepEqual(sandbox.jobs[0]?.limits, MAX_LIMITS);
  });

  it('skips a run nobody waits for any more', async () => {
    await assert.rejects(sut.run(job({ deadline: 1_000 }), 2_000), RunExpiredError);
    assert.equal(sandbox.jobs.length, 0);
  });

  it('rejects a malformed job without running it', async () => {
    await assert.rejects(sut.run({ code: 1 } as unknown as RunCodeJob), /malformed run job/);
    assert.equal(sandbox.jobs.length, 0);
  });

  it('rejects when the sandbox fails, so the caller answers 503', async () => {
    sandbox.respondWith(() => {
      throw new SandboxCrashFake();
    });

    await assert.rejects(sut.run(job()), { name: 'SandboxCrashError' });
  });
});
