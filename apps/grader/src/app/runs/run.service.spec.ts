import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { DEFAULT_LIMITS, MAX_LIMITS, type RunCodeJob } from '@koodi/contracts';
import { feedbackFor, SandboxCrashFake, SandboxFake } from '../sandbox/sandbox.mock';
import {
  NO_SAMPLES_SUMMARY,
  RunExpiredError,
  RunService,
  YOUR_INPUT,
  YOUR_INPUT_SUMMARY,
} from './run.service';

Logger.overrideLogger(false);

describe(RunService.name, () => {
  let sandbox: SandboxFake;
  let sut: RunService;
  const job = (overrides: Partial<RunCodeJob> = {}): RunCodeJob => ({
    kind: 'function',
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

  describe('a program', () => {
    const samples = JSON.stringify({
      compare: 'whitespace',
      cases: [{ name: 'two lines', stdin: '1 2\n', stdout: '3\n', visible: true }],
    });
    const program = (overrides: Partial<RunCodeJob> = {}) =>
      job({ kind: 'program', moduleName: 'main', testCode: samples, ...overrides });
    /** The sandbox: samples pass; the student's own input printed `printed`. */
    const answering = (printed: string, ownVerdict: 'passed' | 'syntax_error' = 'passed') =>
      sandbox.respondWith((sandboxJob) => {
        const own = JSON.parse(sandboxJob.testCode).cases[0].shownOnly === true;
        if (!own) {
          return {
            verdict: 'passed',
            feedback: {
              ...feedbackFor('passed', 'All 1 tests passed.'),
              tests: [{ name: 'two lines', outcome: 'passed', message: '' }],
            },
            durationMs: 3,
          };
        }
        return {
          verdict: ownVerdict,
          feedback: {
            ...feedbackFor(
              ownVerdict,
              ownVerdict === 'passed' ? 'All 1 tests passed.' : 'Syntax error.',
            ),
            tests: [
              {
                name: YOUR_INPUT,
                outcome: ownVerdict === 'passed' ? 'passed' : 'error',
                message: printed,
              },
            ],
          },
          durationMs: 4,
        };
      });

    it('runs its sample cases as a program, compared as in grading', async () => {
      answering('');
      const result = await sut.run(program());

      assert.equal(sandbox.jobs.length, 1);
      assert.equal(sandbox.jobs[0]?.kind, 'program');
      assert.deepEqual(JSON.parse(sandbox.jobs[0]!.testCode), JSON.parse(samples));
      assert.equal(result.verdict, 'passed');
      assert.deepEqual(result.feedback.tests, [
        { name: 'two lines', outcome: 'passed', message: '' },
      ]);
    });

    it('runs the custom stdin once more, its output shown and compared with nothing', async () => {
      answering('30\n');
      const result = await sut.run(program({ stdin: '10 20\n' }));

      assert.equal(sandbox.jobs.length, 2);
      assert.deepEqual(JSON.parse(sandbox.jobs[1]!.testCode), {
        compare: 'whitespace',
        cases: [{ name: YOUR_INPUT, stdin: '10 20\n', stdout: '', visible: true, shownOnly: true }],
      });
      assert.equal(result.verdict, 'passed');
      assert.deepEqual(result.feedback.tests, [
        { name: 'two lines', outcome: 'passed', message: '' },
      ]);
      assert.equal(result.feedback.output, '30\n');
      assert.equal(result.durationMs, 7);
    });

    it('shows the failure of the run on custom stdin beside the samples', async () => {
      answering('Traceback…', 'syntax_error');
      const result = await sut.run(program({ stdin: 'x\n' }));

      assert.equal(result.verdict, 'syntax_error');
      assert.deepEqual(
        result.feedback.tests.map((t) => t.name),
        ['two lines', YOUR_INPUT],
      );
    });

    it('with no samples, still runs the program once and shows what it printed', async () => {
      answering('hi\n');
      const result = await sut.run(
        program({ testCode: JSON.stringify({ compare: 'exact', cases: [] }) }),
      );

      assert.equal(sandbox.jobs.length, 1);
      assert.equal(result.verdict, 'passed');
      assert.equal(result.feedback.summary, YOUR_INPUT_SUMMARY);
      assert.deepEqual(result.feedback.tests, []);
      assert.equal(result.feedback.output, 'hi\n');
    });
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
