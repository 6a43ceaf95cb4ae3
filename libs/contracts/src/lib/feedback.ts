export const TEST_OUTCOMES = ['passed', 'failed', 'error', 'skipped'] as const;
export type TestOutcome = (typeof TEST_OUTCOMES)[number];

/** One unit test's result as the student sees it. */
export interface TestResult {
  name: string;
  outcome: TestOutcome;
  /** Assertion text (expected vs actual) or the trimmed traceback; empty when passed. */
  message: string;
  /** The student's line the failure happened on, when it happened in the student's code. */
  location?: CodeLocation;
}

/** Where in the student's code something went wrong (1-based). */
export interface CodeLocation {
  line: number;
  column?: number;
}

/** Everything a graded submission tells the student, stored as `submissions.feedback`. */
export interface Feedback {
  /** One sentence saying what happened, e.g. "2 of 5 tests failed." */
  summary: string;
  tests: TestResult[];
  /** Excerpt of stdout and stderr, already capped. */
  output: string;
  outputTruncated: boolean;
  /** Set for syntax errors and errors raised from the student's own lines. */
  location?: CodeLocation;
}
