/**
 * A submission moves queued → grading → one final status.
 * `failed` is the student's (tests, syntax, limits); `error` is ours and may be re-run.
 */
export const SUBMISSION_STATUSES = ['queued', 'grading', 'passed', 'failed', 'error'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

export const FINAL_STATUSES = ['passed', 'failed', 'error'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const IN_FLIGHT_STATUSES = ['queued', 'grading'] as const;

export function isFinalStatus(status: SubmissionStatus): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** A final verdict the student earned; `error` is ours and never reused for dedupe. */
export function isStudentFinal(status: SubmissionStatus): boolean {
  return status === 'passed' || status === 'failed';
}
