import type { AssignmentHint } from '@koodi/contracts';
import type { DataSource } from 'typeorm';

/** What the hints of one assignment are, and which of them a student has revealed. */
export interface HintRepositoryPort {
  /** The assignment's hints in order; [] for none (or an unknown assignment). */
  hintsOf(assignmentId: string): Promise<AssignmentHint[]>;
  /** How many hints the student has revealed (they are revealed in order, from the first). */
  revealedCount(userId: string, assignmentId: string): Promise<number>;
  /** Records hint `position` (0-based) as revealed; a second call for the same one does nothing. */
  reveal(userId: string, assignmentId: string, position: number): Promise<void>;
  /** The student's submissions of the assignment that ended `failed` (their own mistakes, not ours). */
  failedSubmissions(userId: string, assignmentId: string): Promise<number>;
}

export class HintRepository implements HintRepositoryPort {
  constructor(private readonly dataSource: DataSource) {}

  async hintsOf(assignmentId: string): Promise<AssignmentHint[]> {
    const rows: { hints: AssignmentHint[] }[] = await this.dataSource.query(
      'SELECT hints FROM assignments WHERE id = $1',
      [assignmentId],
    );
    return rows[0]?.hints ?? [];
  }

  async revealedCount(userId: string, assignmentId: string): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      'SELECT count(*)::int AS n FROM revealed_hints WHERE user_id = $1 AND assignment_id = $2',
      [userId, assignmentId],
    );
    return rows[0]?.n ?? 0;
  }

  async reveal(userId: string, assignmentId: string, position: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO revealed_hints (user_id, assignment_id, position) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [userId, assignmentId, position],
    );
  }

  async failedSubmissions(userId: string, assignmentId: string): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM submissions
        WHERE user_id = $1 AND assignment_id = $2 AND status = 'failed'`,
      [userId, assignmentId],
    );
    return rows[0]?.n ?? 0;
  }
}
