import type { Feedback, Verdict } from '@koodi/contracts';
import { statusOfVerdict } from '@koodi/contracts';
import type { DataSource, Repository } from 'typeorm';
import { SubmissionEntity } from '../entities/submission.entity';

export interface NewSubmission {
  assignmentId: string;
  assignmentVersion: string;
  userId: string;
  code: string;
  codeSha256: string;
  idempotencyKey?: string | null;
  duplicateOf?: string | null;
}

export interface VerdictToCommit {
  verdict: Verdict;
  feedback: Feedback;
  gradingMs: number;
}

/** A row whose status changed, for publishing events. */
export interface ChangedSubmission {
  id: string;
  userId: string;
  status: SubmissionEntity['status'];
}

/** PostgreSQL's unique_violation, e.g. a second in-flight submission of the same user. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const driverError =
    (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? error;
  const { code, constraint: name } = driverError as { code?: string; constraint?: string };
  return code === '23505' && (constraint === undefined || name === constraint);
}

export const ONE_IN_FLIGHT_PER_USER = 'submissions_one_in_flight_per_user_idx';
export const ONE_PER_IDEMPOTENCY_KEY = 'submissions_idempotency_idx';

export class SubmissionRepository {
  private readonly submissions: Repository<SubmissionEntity>;

  constructor(dataSource: DataSource) {
    this.submissions = dataSource.getRepository(SubmissionEntity);
  }

  findById(id: string): Promise<SubmissionEntity | null> {
    return this.submissions.findOneBy({ id });
  }

  /** The submission only if `userId` owns it. */
  findOwned(id: string, userId: string): Promise<SubmissionEntity | null> {
    return this.submissions.findOneBy({ id, userId });
  }

  findInFlightForUser(userId: string): Promise<SubmissionEntity | null> {
    return this.submissions
      .createQueryBuilder('s')
      .where('s.userId = :userId', { userId })
      .andWhere("s.status IN ('queued', 'grading')")
      .getOne();
  }

  findByIdempotencyKey(userId: string, idempotencyKey: string): Promise<SubmissionEntity | null> {
    return this.submissions.findOneBy({ userId, idempotencyKey });
  }

  /**
   * The submission a new one with the same (assignment, version, code) can reuse: the latest
   * with a student verdict, else one in flight that was itself queued. Infrastructure errors
   * are never reused.
   */
  findReusable(
    assignmentId: string,
    assignmentVersion: string,
    codeSha256: string,
  ): Promise<SubmissionEntity | null> {
    return this.submissions
      .createQueryBuilder('s')
      .where(
        's.assignmentId = :assignmentId AND s.assignmentVersion = :assignmentVersion AND s.codeSha256 = :codeSha256',
        {
          assignmentId,
          assignmentVersion,
          codeSha256,
        },
      )
      .andWhere(
        "(s.status IN ('passed', 'failed') OR (s.status IN ('queued', 'grading') AND s.duplicateOf IS NULL))",
      )
      .orderBy("CASE WHEN s.status IN ('passed', 'failed') THEN 0 ELSE 1 END", 'ASC')
      .addOrderBy('s.createdAt', 'DESC')
      .getOne();
  }

  /** Inserts a queued row; throws a unique violation if the user already has one in flight. */
  async insertQueued(submission: NewSubmission): Promise<SubmissionEntity> {
    const [row] = await this.submissions.query(
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
    return (await this.findById(row.id))!;
  }

  /** Inserts a row that already carries the final student verdict of `source` (a dedupe hit). */
  async insertCopyOfFinal(
    submission: NewSubmission,
    source: SubmissionEntity,
  ): Promise<SubmissionEntity> {
    const [row] = await this.submissions.query(
      `INSERT INTO submissions
         (assignment_id, assignment_version, user_id, code, code_sha256, idempotency_key, duplicate_of,
          status, verdict, feedback, started_at, graded_at, grading_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now(), 0) RETURNING id`,
      [
        submission.assignmentId,
        submission.assignmentVersion,
        submission.userId,
        submission.code,
        submission.codeSha256,
        submission.idempotencyKey ?? null,
        source.id,
        source.status,
        source.verdict,
        JSON.stringify(source.feedback),
      ],
    );
    return (await this.findById(row.id))!;
  }

  /**
   * Claims a submission for grading and counts the attempt. Returns null when it is already
   * final (a redelivered job), so the caller just acknowledges.
   */
  async markGrading(id: string): Promise<SubmissionEntity | null> {
    const [rows]: [Array<{ id: string }>, number] = await this.submissions.query(
      `UPDATE submissions SET status = 'grading', started_at = coalesce(started_at, now()), attempts = attempts + 1
       WHERE id = $1 AND status IN ('queued', 'grading') RETURNING id`,
      [id],
    );
    return rows.length ? this.findById(id) : null;
  }

  /**
   * Writes the verdict of `id` and of the identical submissions that joined it, once: rows
   * already final are left alone, so a job graded twice still yields one verdict.
   */
  async commitVerdict(id: string, result: VerdictToCommit): Promise<ChangedSubmission[]> {
    const status = statusOfVerdict(result.verdict);
    // For UPDATE … RETURNING the postgres driver answers [rows, affected count].
    const [rows]: [
      Array<{ id: string; user_id: string; status: SubmissionEntity['status'] }>,
      number,
    ] = await this.submissions.query(
      `UPDATE submissions
          SET status = $2, verdict = $3, feedback = $4, graded_at = now(), grading_ms = $5,
              started_at = coalesce(started_at, now())
        WHERE (id = $1 OR duplicate_of = $1) AND status IN ('queued', 'grading')
        RETURNING id, user_id, status`,
      [
        id,
        status,
        result.verdict,
        JSON.stringify(result.feedback),
        Math.max(0, Math.round(result.gradingMs)),
      ],
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, status: row.status }));
  }

  /** Rows still queued or grading that were created before `olderThan`, oldest first. */
  findStaleInFlight(olderThan: Date, limit = 100): Promise<SubmissionEntity[]> {
    return this.submissions
      .createQueryBuilder('s')
      .where("s.status IN ('queued', 'grading')")
      .andWhere('s.createdAt < :olderThan', { olderThan })
      .orderBy('s.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** A student's submissions for one assignment, newest first. */
  historyFor(userId: string, assignmentId: string, limit = 50): Promise<SubmissionEntity[]> {
    return this.submissions.find({
      where: { userId, assignmentId },
      order: { createdAt: 'DESC' },
      take: limit,
      select: ['id', 'assignmentId', 'status', 'verdict', 'feedback', 'createdAt', 'gradedAt'],
    });
  }

  /** Distinct assignments the user has passed. */
  async solvedAssignmentIds(userId: string): Promise<string[]> {
    const rows: Array<{ assignment_id: string }> = await this.submissions.query(
      `SELECT DISTINCT assignment_id FROM submissions WHERE user_id = $1 AND status = 'passed'`,
      [userId],
    );
    return rows.map((row) => row.assignment_id);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows: Array<{ status: string; count: string }> = await this.submissions.query(
      'SELECT status, count(*) AS count FROM submissions GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
