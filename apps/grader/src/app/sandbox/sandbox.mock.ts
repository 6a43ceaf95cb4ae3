import type { Feedback, Verdict } from '@koodi/contracts';
import type { SandboxJob, SandboxOutcome, SandboxRunner } from './sandbox.port';

export function feedbackFor(verdict: Verdict, summary = `Verdict: ${verdict}.`): Feedback {
  return { summary, tests: [], output: '', outputTruncated: false };
}

/** A sandbox that answers from a script: each job is handed to `behaviour`, and every job is recorded. */
export class SandboxFake implements SandboxRunner {
  readonly jobs: SandboxJob[] = [];

  constructor(
    private behaviour: (job: SandboxJob) => Promise<SandboxOutcome> | SandboxOutcome = () => ({
      verdict: 'passed',
      feedback: feedbackFor('passed', 'All 1 tests passed.'),
      durationMs: 2,
    }),
  ) {}

  respondWith(behaviour: (job: SandboxJob) => Promise<SandboxOutcome> | SandboxOutcome): void {
    this.behaviour = behaviour;
  }

  async run(job: SandboxJob): Promise<SandboxOutcome> {
    this.jobs.push(job);
    return this.behaviour(job);
  }
}

/** What the sandbox library throws when a zygote dies under a job: the same name, for the same handling. */
export class SandboxCrashFake extends Error {
  constructor(message = 'sandbox zygote exited unexpectedly') {
    super(message);
    this.name = 'SandboxCrashError';
  }
}
