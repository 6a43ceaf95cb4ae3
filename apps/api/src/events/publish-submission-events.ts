import { SUBMISSION_EVENTS_CHANNEL, SUBMISSION_GRADED, type SubmissionEvent } from '@koodi/contracts';
import type { ChangedSubmission } from '@koodi/db';
import type { RedisClient } from '@koodi/queue';

/** Announces rows that became final outside the grader (dedupe copies, reconciler), as it does. */
export async function publishGraded(redis: RedisClient, rows: ChangedSubmission[]): Promise<void> {
  for (const row of rows) {
    const event: SubmissionEvent = { event: SUBMISSION_GRADED, submissionId: row.id, userId: row.userId, status: row.status };
    await redis.publish(SUBMISSION_EVENTS_CHANNEL, JSON.stringify(event));
  }
}
