import type { DataSource } from 'typeorm';
import type { SubmissionEntity } from '../entities/submission.entity';
import type { NewSubmission } from '../repositories/submission.repository';
import { SubmissionRepository } from '../repositories/submission.repository';

/**
 * Inserts a queued row exactly as given, without the dedupe of insertDeduped: for tests that
 * need a state production reaches only by a race, e.g. a row that joined (`duplicateOf`) a
 * submission just after its verdict was committed, or an ungraded row whose code was graded before.
 * Throws the same unique violations as insertDeduped.
 */
export async function insertSubmissionRow(
  dataSource: DataSource,
  submission: NewSubmission & { duplicateOf?: string | null },
): Promise<SubmissionEntity> {
  const [row]: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO submissions (assignment_id, assignment_version, user_id, code, code_sha256, idempotency_key, duplicate_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      submission.assignmentId,
      submission.assignmentVersion,
      submission.userId,
      submission.code,
      submission.codeSha256,
      submission.idempotencyKey ?? null,
      submission.duplicateOf ?? null,
    ],
  );
  return (await new SubmissionRepository(dataSource).findById(row.id))!;
}
