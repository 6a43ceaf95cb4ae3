import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ASSIGNMENT_KINDS,
  MAX_LIMITS,
  parseProgramTests,
  type ProgramTests,
  type RunCodeJob,
  type RunResult,
} from '@koodi/contracts';
import { RUN_SANDBOX, type SandboxRunner } from '../sandbox/sandbox.port';

export const NO_SAMPLES_SUMMARY =
  'Your code ran. This assignment has no sample tests to try it on.';

/** The name a program's run on the student's own stdin is shown under. */
export const YOUR_INPUT = 'Your input';
export const YOUR_INPUT_SUMMARY = 'Your program ran on your input.';

/** What a grader answers for a run nobody waits for any more. */
export class RunExpiredError extends Error {
  constructor() {
    super('the run was past its deadline when a grader took it');
    this.name = 'RunExpiredError';
  }
}

/**
 * Runs a student's code against the assignment's visible samples on the sandboxes kept for
 * Runs. Everything comes in the job (the API has the assignment cached); nothing is written.
 * A sandbox failure rejects: the API answers it with a 503, and the run is never retried.
 */
@Injectable()
export class RunService {
  private readonly logger = new Logger(RunService.name);

  constructor(@Inject(RUN_SANDBOX) private readonly sandbox: SandboxRunner) {}

  async run(job: RunCodeJob, now = Date.now()): Promise<RunResult> {
    if (!isRunJob(job)) throw new TypeError('malformed run job');
    if (now > job.deadline) throw new RunExpiredError();
    try {
      if (job.kind === 'program') return await this.runProgram(job);
      const outcome = await this.sandbox.run({
        code: job.code,
        moduleName: job.moduleName,
        testCode: job.testCode,
        limits: clamp(job.limits),
        ...(job.stdin ? { stdin: job.stdin } : {}),
      });
      // With no samples there is nothing to pass: code that ran without an error did all it could.
      if (
        job.testCode.trim() === '' &&
        outcome.verdict === 'internal_error' &&
        outcome.feedback.tests.length === 0
      ) {
        return {
          verdict: 'passed',
          feedback: { ...outcome.feedback, summary: NO_SAMPLES_SUMMARY },
          durationMs: outcome.durationMs,
        };
      }
      return {
        verdict: outcome.verdict,
        feedback: outcome.feedback,
        durationMs: outcome.durationMs,
      };
    } catch (error) {
      this.logger.warn(
        `Run failed in the sandbox: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  /**
   * A program: its sample cases compared as in grading, then the student's own stdin (or, with
   * no samples, an empty one) as one more run whose output is shown and compared with nothing.
   */
  private async runProgram(job: RunCodeJob): Promise<RunResult> {
    const samples = parseProgramTests(job.testCode);
    const limits = clamp(job.limits);
    const program = (tests: ProgramTests) =>
      this.sandbox.run({
        kind: 'program',
        code: job.code,
        moduleName: job.moduleName,
        testCode: JSON.stringify(tests),
        limits,
      });
    const compared = samples.cases.length > 0 ? await program(samples) : undefined;
    if (compared && !job.stdin) {
      return {
        verdict: compared.verdict,
        feedback: compared.feedback,
        durationMs: compared.durationMs,
      };
    }
    const own = await program({
      compare: samples.compare,
      cases: [{ name: YOUR_INPUT, stdin: job.stdin, stdout: '', visible: true, shownOnly: true }],
    });
    const ownTest = own.feedback.tests.find((test) => test.name === YOUR_INPUT);
    const ranClean = own.verdict === 'passed' && ownTest?.outcome === 'passed';
    const printed = ranClean ? ownTest.message : '';
    const output = [printed, own.feedback.output].filter((text) => text !== '').join('\n');
    const durationMs = (compared?.durationMs ?? 0) + own.durationMs;
    if (!compared) {
      return {
        verdict: own.verdict,
        feedback: ranClean
          ? { ...own.feedback, summary: YOUR_INPUT_SUMMARY, tests: [], output }
          : own.feedback,
        durationMs,
      };
    }
    return {
      verdict: compared.verdict === 'passed' ? own.verdict : compared.verdict,
      feedback: {
        ...compared.feedback,
        tests: [...compared.feedback.tests, ...(ranClean ? [] : own.feedback.tests)],
        output,
        outputTruncated: own.feedback.outputTruncated,
        ...(compared.feedback.location
          ? {}
          : own.feedback.location
            ? { location: own.feedback.location }
            : {}),
      },
      durationMs,
    };
  }
}

function isRunJob(job: unknown): job is RunCodeJob {
  const j = job as Partial<RunCodeJob> | null;
  return (
    !!j &&
    // A job from an API older than the kind is a function's.
    (j.kind === undefined || ASSIGNMENT_KINDS.includes(j.kind)) &&
    typeof j.code === 'string' &&
    typeof j.stdin === 'string' &&
    typeof j.moduleName === 'string' &&
    typeof j.testCode === 'string' &&
    typeof j.deadline === 'number' &&
    typeof j.limits === 'object' &&
    j.limits !== null
  );
}

/** The job comes over Redis: its limits are held to what any assignment may ask for. */
function clamp(limits: RunCodeJob['limits']): RunCodeJob['limits'] {
  return {
    cpuSeconds: Math.min(limits.cpuSeconds, MAX_LIMITS.cpuSeconds),
    wallSeconds: Math.min(limits.wallSeconds, MAX_LIMITS.wallSeconds),
    memoryMb: Math.min(limits.memoryMb, MAX_LIMITS.memoryMb),
    outputKb: Math.min(limits.outputKb, MAX_LIMITS.outputKb),
  };
}
