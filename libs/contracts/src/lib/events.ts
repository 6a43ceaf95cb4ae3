import type { SubmissionStatus } from './submission-status';

/** Redis pub/sub channel on which submission status changes are published. */
export const SUBMISSION_EVENTS_CHANNEL = 'events:submission';

/** Event names carried on {@link SUBMISSION_EVENTS_CHANNEL}. */
export const SUBMISSION_GRADING = 'submission.grading';
export const SUBMISSION_GRADED = 'submission.graded';

export interface SubmissionEvent {
  event: typeof SUBMISSION_GRADING | typeof SUBMISSION_GRADED;
  submissionId: string;
  userId: string;
  status: SubmissionStatus;
}

/** The Server-Sent Events name of `GET /api/submissions/:id/events`: each carries a SubmissionView. */
export const SUBMISSION_STATUS_SSE_EVENT = 'status';
