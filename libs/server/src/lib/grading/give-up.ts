import { type Feedback, MAX_GRADING_ATTEMPTS } from '@koodi/contracts';

/** What a student reads on a submission Koodi gave up grading. */
export const GAVE_UP_FEEDBACK: Feedback = {
  summary:
    'Grading failed on our side, not because of your code. This attempt does not count against you: please submit again.',
  tests: [],
  output: '',
  outputTruncated: false,
};

/** The verdict committed for a submission given up on: our error, costing the student nothing. */
export function gaveUpVerdict(): { verdict: 'internal_error'; feedback: Feedback; gradingMs: 0 } {
  return { verdict: 'internal_error', feedback: GAVE_UP_FEEDBACK, gradingMs: 0 };
}

/**
 * Claims a row may record while a grader holds its job. A shutdown hands a job back without
 * spending one of the queue's MAX_GRADING_ATTEMPTS deliveries, but the row counts the claim, so
 * this backstop sits above the queue's own limit.
 */
export const MAX_RECORDED_ATTEMPTS = 2 * MAX_GRADING_ATTEMPTS;

/**
 * The give-up rule on the row's attempts (one per claim, the current one included):
 * - `lost`: the reconciler found no job anywhere; MAX_GRADING_ATTEMPTS claims are all its tries.
 * - `in-hand`: a grader just claimed it; the queue dead-letters after MAX_GRADING_ATTEMPTS
 *   deliveries, and past MAX_RECORDED_ATTEMPTS claims the grader stops without running it.
 * When the queue dead-letters a job itself, the grader gives up with {@link gaveUpVerdict} too.
 */
export function shouldGiveUp(attempts: number, job: 'lost' | 'in-hand'): boolean {
  switch (job) {
    case 'lost':
      return attempts >= MAX_GRADING_ATTEMPTS;
    case 'in-hand':
      return attempts > MAX_RECORDED_ATTEMPTS;
  }
}
