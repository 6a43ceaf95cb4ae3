import type { AssignmentKind, AssignmentLimits, Feedback, Verdict } from '@koodi/contracts';

/** One grading run: the student's code, the module name it is imported as, and the hidden tests. */
export interface SandboxJob {
  /** Default `function`; for `program`, testCode holds the cases (see SandboxJob in @koodi/sandbox). */
  kind?: AssignmentKind;
  code: string;
  moduleName: string;
  testCode: string;
  limits: AssignmentLimits;
  /** A Run's stdin; absent for graded jobs (their stdin is empty). */
  stdin?: string;
}

export interface SandboxOutcome {
  verdict: Verdict;
  feedback: Feedback;
  durationMs: number;
  /**
   * False when the sandbox was found changed by this job (its zygote's self-check failed): the
   * verdict is stored for this submission only and never copied to another.
   */
  slotIntact?: boolean;
}

/**
 * What the grading service needs from a sandbox pool. `run` resolves with the student's verdict,
 * or rejects when the sandbox itself failed (an infrastructure fault, retried, never a verdict).
 */
export interface SandboxRunner {
  run(job: SandboxJob): Promise<SandboxOutcome>;
  start?(): Promise<void>;
  /** Lets running jobs finish, then ends every sandbox. */
  close?(): Promise<void>;
  stats?(): SandboxStats;
}

export interface SandboxStats {
  slots: number;
  ready: number;
  busy: number;
  queued: number;
  crashes: number;
  restarts: number;
  /** Sandboxes replaced because a job changed their zygote. */
  retired?: number;
}

export const SANDBOX = Symbol('SANDBOX');

/** The sandboxes kept for Runs, so that graded jobs never hold one up. */
export const RUN_SANDBOX = Symbol('RUN_SANDBOX');
