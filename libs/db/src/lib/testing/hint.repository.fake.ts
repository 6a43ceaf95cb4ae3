import type { AssignmentHint } from '@koodi/contracts';
import type { HintRepositoryPort } from '../repositories/hint.repository';

/** HintRepository in memory, for unit specs of what reveals hints. */
export class HintRepositoryFake implements HintRepositoryPort {
  readonly hints = new Map<string, AssignmentHint[]>();
  /** `${userId}/${assignmentId}` → revealed positions. */
  readonly revealed = new Map<string, Set<number>>();
  readonly failures = new Map<string, number>();

  async hintsOf(assignmentId: string): Promise<AssignmentHint[]> {
    return this.hints.get(assignmentId) ?? [];
  }

  async revealedCount(userId: string, assignmentId: string): Promise<number> {
    return this.revealed.get(`${userId}/${assignmentId}`)?.size ?? 0;
  }

  async reveal(userId: string, assignmentId: string, position: number): Promise<void> {
    const key = `${userId}/${assignmentId}`;
    this.revealed.set(key, (this.revealed.get(key) ?? new Set()).add(position));
  }

  async failedSubmissions(userId: string, assignmentId: string): Promise<number> {
    return this.failures.get(`${userId}/${assignmentId}`) ?? 0;
  }
}
