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
}

export interface VerdictToCommit {
  verdict: Verdict;
  feedback: Feedback;
  gradingMs: number;
  /** False when the sandbox was found changed by the job (default true). */
  slotIntact?: boolean;
}

/** A row of a student's history: the summary only, never the full feedback. */
export interface SubmissionHistoryRow {
  id: string;
  assignmentId: string;
  status: SubmissionEntity['status'];
  verdict: Verdict | null;
  summary: string | null;
  createdAt: Date;
  gradedAt: Date | null;
}

/**
 * Verdicts another submission of the same code may be given without running it: what the code
 * itself decides. Limit verdicts depend on the machine's load as much as on the code, and
 * internal errors on our infrastructure; they are never copied, and nothing from a sandbox a job
 * had changed is (slot_intact).
 */
export const COPYABLE_VERDICTS: readonly Verdict[] = [
  'passed',
  'tests_failed',
  'syntax_error',
  'import_error',
];
const COPYABLE_SQL = `(verdict IN (${COPYABLE_VERDICTS.map((v) => `'${v}'`).join(', ')}) AND slot_intact)`;
const copyable = (alias: string) =>
  COPYABLE_SQL.replace(/verdict|slot_intact/g, (column) => `${alias}.${column}`);

export function isCopyable(result: Pick<VerdictToCommit, 'verdict' | 'slotIntact'>): boolean {
  return result.slotIntact !== false && COPYABLE_VERDICTS.includes(result.verdict);
}

/** What the grader needs of a submission it has claimed. */
export type GradingClaim = Pick<
  SubmissionEntity,
  'id' | 'userId' | 'assignmentId' | 'assignmentVersion' | 'code' | 'attempts'
>;

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

  constructor(private readonly dataSource: DataSource) {
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
   * Dedupe and insert in one statement: copies the copyable final verdict (see COPYABLE_VERDICTS)
   * of an identical earlier submission, or joins one in flight (`duplicate_of`), or inserts a
   * plain queued row. Throws a unique violation (isUniqueViolation) when the user already has a
   * submission in flight (ONE_IN_FLIGHT_PER_USER) or used the idempotency key before
   * (ONE_PER_IDEMPOTENCY_KEY). This statement is the only place the dedupe rule is written.
   */
  async insertDeduped(submission: NewSubmission): Promise<SubmissionEntity> {
    // The hottest write of the API: a named statement is parsed and planned once per connection,
    // which TypeORM's query() cannot do. QueryRunner.connect() is TypeORM's public way to the
    // pooled pg client; taking it from the pool is local, so the insert stays one round trip
    // (measured as fast as querying the driver's pool directly, about 0.65 ms an insert locally).
    const runner = this.dataSource.createQueryRunner('master');
    let result: { rows: Array<Record<string, unknown>> };
    try {
      const client: PreparedQueryClient = await runner.connect();
      result = await client.query({
        name: 'koodi_submissions_insert_deduped',
        text: `WITH source AS (
         SELECT id, status, verdict, feedback FROM submissions
          WHERE assignment_id = $1 AND assignment_version = $2 AND code_sha256 = $5
            AND ((status IN ('passed', 'failed') AND ${COPYABLE_SQL})
                 OR (status IN ('queued', 'grading') AND duplicate_of IS NULL))
          ORDER BY CASE WHEN status IN ('passed', 'failed') THEN 0 ELSE 1 END, created_at DESC
          LIMIT 1)
       INSERT INTO submissions
         (assignment_id, assignment_version, user_id, code, code_sha256, idempotency_key, duplicate_of,
          status, verdict, feedback, started_at, graded_at, grading_ms)
       SELECT $1, $2, $3, $4, $5, $6, source.id,
              CASE WHEN source.status IN ('passed', 'failed') THEN source.status ELSE 'queued' END,
              CASE WHEN source.status IN ('passed', 'failed') THEN source.verdict END,
              CASE WHEN source.status IN ('passed', 'failed') THEN source.feedback END,
              CASE WHEN source.status IN ('passed', 'failed') THEN now() END,
              CASE WHEN source.status IN ('passed', 'failed') THEN now() END,
              CASE WHEN source.status IN ('passed', 'failed') THEN 0 END
         FROM (SELECT 1) AS one LEFT JOIN source ON true
       RETURNING id, assignment_id, assignment_version, user_id, code_sha256, status, verdict, feedback, attempts,
                 duplicate_of, idempotency_key, created_at, started_at, graded_at, grading_ms, slot_intact`,
        values: [
          submission.assignmentId,
          submission.assignmentVersion,
          submission.userId,
          submission.code,
          submission.codeSha256,
          submission.idempotencyKey ?? null,
        ],
      });
    } finally {
      await runner.release();
    }
    const [row] = result.rows;
    // The code (up to 64 KB) is not sent back: the caller has it.
    return submissionFromRow({ ...row, code: submission.code });
  }

  /**
   * Gives rows that joined a submission now final its verdict (all such rows, or only `id`):
   * covers a join that committed just after the verdict of the row it joined. A verdict that may
   * not be copied is not: such rows leave the source (duplicate_of cleared) and, still queued
   * with no job, are queued again by the reconciler.
   */
  async finalizeJoined(id?: string): Promise<ChangedSubmission[]> {
    await this.submissions.query(
      `UPDATE submissions AS joined SET duplicate_of = NULL
         FROM submissions AS source
        WHERE source.id = joined.duplicate_of
          AND joined.status IN ('queued', 'grading')
          AND source.status IN ('passed', 'failed', 'error')
          AND NOT ${copyable('source')}
          AND ($1::uuid IS NULL OR joined.id = $1::uuid)`,
      [id ?? null],
    );
    const [rows]: [
      Array<{ id: string; user_id: string; status: SubmissionEntity['status'] }>,
      number,
    ] = await this.submissions.query(
      `UPDATE submissions AS joined
            SET status = source.status, verdict = source.verdict, feedback = source.feedback,
                started_at = coalesce(joined.started_at, now()), graded_at = now(), grading_ms = 0
           FROM submissions AS source
          WHERE source.id = joined.duplicate_of
            AND joined.status IN ('queued', 'grading')
            AND source.status IN ('passed', 'failed')
            AND ${copyable('source')}
            AND ($1::uuid IS NULL OR joined.id = $1::uuid)
          RETURNING joined.id, joined.user_id, joined.status`,
      [id ?? null],
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, status: row.status }));
  }

  /** Percentiles of created → graded over the submissions graded in the last `seconds`. */
  async gradingLatencySeconds(
    seconds: number,
  ): Promise<{ count: number; p50: number | null; p90: number | null; p99: number | null }> {
    const [row]: Array<{
      count: string;
      p50: number | null;
      p90: number | null;
      p99: number | null;
    }> = await this.submissions.query(
      `SELECT count(*) AS count,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM graded_at - created_at)) AS p50,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM graded_at - created_at)) AS p90,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM graded_at - created_at)) AS p99
           FROM submissions
          WHERE graded_at > now() - make_interval(secs => $1) AND duplicate_of IS NULL`,
      [seconds],
    );
    return { count: Number(row.count), p50: row.p50, p90: row.p90, p99: row.p99 };
  }

  /**
   * Claims a submission for grading in one round trip: marks it grading, counts the attempt and
   * returns what grading needs, or null when it is already final (a redelivered job). The claim is committed
   * without waiting for the WAL flush: if a Postgres crash loses it, the row is simply still
   * queued, which the verdict write and the reconciler both accept. Verdicts stay synchronous.
   */
  async claimForGrading(id: string): Promise<GradingClaim | null> {
    const [rows]: [
      Array<{
        id: string;
        user_id: string;
        assignment_id: string;
        assignment_version: string;
        code: string;
        attempts: number;
      }>,
      number,
    ] = await this.submissions.query(
      `UPDATE submissions s
          SET status = 'grading', started_at = coalesce(s.started_at, now()), attempts = s.attempts + 1
         FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
        WHERE s.id = $1 AND s.status IN ('queued', 'grading')
       RETURNING s.id, s.user_id, s.assignment_id, s.assignment_version, s.code, s.attempts`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      userId: row.user_id,
      assignmentId: row.assignment_id,
      assignmentVersion: row.assignment_version,
      code: row.code,
      attempts: row.attempts,
    };
  }

  /**
   * Writes the verdict of `id` and of the identical submissions that joined it, once: rows
   * already final are left alone, so a job graded twice still yields one verdict. A verdict
   * that may not be copied (isCopyable) is written to `id` alone; the rows that joined it leave
   * it, to be queued again by the reconciler and graded on their own.
   */
  async commitVerdict(id: string, result: VerdictToCommit): Promise<ChangedSubmission[]> {
    const status = statusOfVerdict(result.verdict);
    const share = isCopyable(result);
    // For UPDATE … RETURNING the postgres driver answers [rows, affected count].
    const [rows]: [
      Array<{ id: string; user_id: string; status: SubmissionEntity['status'] }>,
      number,
    ] = await this.submissions.query(
      `WITH detached AS (
         UPDATE submissions SET duplicate_of = NULL
          WHERE duplicate_of = $1 AND NOT $7::boolean AND status IN ('queued', 'grading'))
       UPDATE submissions
          SET status = $2, verdict = $3, feedback = $4, graded_at = now(), grading_ms = $5,
              started_at = coalesce(started_at, now()), slot_intact = $6
        WHERE (id = $1 OR (duplicate_of = $1 AND $7::boolean)) AND status IN ('queued', 'grading')
        RETURNING id, user_id, status`,
      [
        id,
        status,
        result.verdict,
        JSON.stringify(result.feedback),
        Math.max(0, Math.round(result.gradingMs)),
        result.slotIntact !== false,
        share,
      ],
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id, status: row.status }));
  }

  /** Rows still queued or grading that were created before `olderThan`, oldest first. */
  findStaleInFlight(
    olderThan: Date,
    limit = 100,
    assignmentIds?: string[],
  ): Promise<SubmissionEntity[]> {
    const query = this.submissions
      .createQueryBuilder('s')
      .where("s.status IN ('queued', 'grading')")
      .andWhere('s.createdAt < :olderThan', { olderThan });
    if (assignmentIds) query.andWhere('s.assignmentId IN (:...assignmentIds)', { assignmentIds });
    return query.orderBy('s.createdAt', 'ASC').limit(limit).getMany();
  }

  /**
   * A student's submissions for one assignment, newest first, with the feedback's summary only:
   * the test results and output (up to hundreds of KB a row) are neither sent nor parsed.
   */
  async historyFor(
    userId: string,
    assignmentId: string,
    limit = 50,
  ): Promise<SubmissionHistoryRow[]> {
    const rows: Array<{
      id: string;
      assignment_id: string;
      status: SubmissionEntity['status'];
      verdict: Verdict | null;
      summary: string | null;
      created_at: Date;
      graded_at: Date | null;
    }> = await this.submissions.query(
      `SELECT id, assignment_id, status, verdict, feedback->>'summary' AS summary, created_at, graded_at
         FROM submissions
        WHERE user_id = $1 AND assignment_id = $2
        ORDER BY created_at DESC
        LIMIT $3`,
      [userId, assignmentId, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      assignmentId: row.assignment_id,
      status: row.status,
      verdict: row.verdict,
      summary: row.summary,
      createdAt: row.created_at,
      gradedAt: row.graded_at,
    }));
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

/** A raw `submissions` row (snake_case, as RETURNING * gives it) as an entity. */
export function submissionFromRow(row: Record<string, unknown>): SubmissionEntity {
  return Object.assign(new SubmissionEntity(), {
    id: row['id'],
    assignmentId: row['assignment_id'],
    assignmentVersion: row['assignment_version'],
    userId: row['user_id'],
    code: row['code'],
    codeSha256: row['code_sha256'],
    status: row['status'],
    verdict: row['verdict'] ?? null,
    feedback: row['feedback'] ?? null,
    attempts: row['attempts'],
    duplicateOf: row['duplicate_of'] ?? null,
    idempotencyKey: row['idempotency_key'] ?? null,
    createdAt: row['created_at'],
    startedAt: row['started_at'] ?? null,
    gradedAt: row['graded_at'] ?? null,
    gradingMs: row['grading_ms'] ?? null,
    slotIntact: row['slot_intact'] ?? true,
  });
}

/** The pg client QueryRunner.connect() hands out, for named (prepared) statements. */
interface PreparedQueryClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Array<Record<string, unknown>> }>;
}
