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
