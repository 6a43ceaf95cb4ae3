import type { Feedback } from './feedback';
import type { AssignmentLimits } from './limits';
import type { AssignmentKind } from './program-cases';
import type { Verdict } from './verdict';

/**
 * Redis keys and message patterns of the grading queue, shared by the API and the grader. The
 * `{grading}` hash tag keeps the list and every key derived from it (processing lists, leases,
 * attempts, dead letters) in one Redis Cluster slot, as the queue's scripts and BLMOVE need.
 */
export const GRADING_QUEUE = '{grading}:queue';

/** Event pattern of a grading job; its payload is {@link GradeSubmissionJob}. */
export const GRADE_SUBMISSION = 'submission.grade';

export interface GradeSubmissionJob {
  submissionId: string;
}

/** How many times a job is delivered before its submission ends as `error`. */
export const MAX_GRADING_ATTEMPTS = 3;

/**
 * The Run lane: a list of its own, so a backlog of graded submissions never delays a run. A run
 * is request-response (the API waits for the answer on its reply list) and never touches
 * PostgreSQL.
 */
export const RUN_QUEUE = '{run}:queue';

/** Message pattern of a run; its payload is {@link RunCodeJob}, its answer a {@link RunResult}. */
export const RUN_CODE = 'code.run';

/**
 * Everything a grader needs to run the student's code against the assignment's visible samples,
 * taken from the API's assignment cache: the grader reads nothing else for a run.
 */
export interface RunCodeJob {
  /** `function`: testCode is unittest samples; `program`: the sample cases as ProgramTests JSON. */
  kind: AssignmentKind;
  code: string;
  /** What the program reads on stdin; empty when none was given. */
  stdin: string;
  moduleName: string;
  /** The sample tests as shown to the student; empty when the assignment has none. */
  testCode: string;
  limits: AssignmentLimits;
  /** Epoch ms after which nobody waits for the answer: a grader skips the run. */
  deadline: number;
}

/** What a run came to, as the grader answers it. */
export interface RunResult {
  verdict: Verdict;
  feedback: Feedback;
  durationMs: number;
}
