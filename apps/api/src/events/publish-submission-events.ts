import { SUBMISSION_GRADED } from '@koodi/contracts';
import type { ChangedSubmission } from '@koodi/db';
import type { RedisClient } from '@koodi/queue';
import { RedisSubmissionEventsPublisher } from '@koodi/server';

/** Announces rows that became final outside the grader (dedupe copies, reconciler), as it does. */
export function publishGraded(redis: RedisClient, rows: ChangedSubmission[]): Promise<void> {
  return new RedisSubmissionEventsPublisher(redis).publishChanged(rows, SUBMISSION_GRADED);
}
