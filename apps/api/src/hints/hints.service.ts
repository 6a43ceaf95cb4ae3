import { Inject, Injectable } from '@nestjs/common';
import type { AssignmentHint, HintsView } from '@koodi/contracts';
import type { HintRepositoryPort } from '@koodi/db';
import { AssignmentsService } from '../assignments/assignments.service';
import { ApiError } from '../http/api-error';
import type { Identity } from '../identity/identity';

const isForeignKeyViolation = (error: unknown): boolean =>
  ((error as { driverError?: { code?: string } }).driverError ?? (error as { code?: string }))
    .code === '23503';

/** The hint repository as the service sees it (the real one, or a fake in unit specs). */
export const HINT_REPOSITORY = Symbol('HINT_REPOSITORY');

/**
 * Hints, one at a time: a student reveals the next when they ask, unless it is held back until
 * they have made enough failed submissions. What was revealed is remembered per student; the
 * text of a hint leaves the server only once it is revealed, and only to that student.
 */
@Injectable()
export class HintsService {
  constructor(
    private readonly assignments: AssignmentsService,
    @Inject(HINT_REPOSITORY) private readonly hints: HintRepositoryPort,
  ) {}

  /** What the student has revealed; with no identity yet, nothing (and no user is created). */
  async list(userId: string | null, idOrSlug: string): Promise<HintsView> {
    const { id } = (await this.assignments.find(idOrSlug)).data;
    const hints = await this.hints.hintsOf(id);
    if (!userId) return view(hints, 0, 0);
    const [revealed, failures] = await Promise.all([
      this.hints.revealedCount(userId, id),
      this.hints.failedSubmissions(userId, id),
    ]);
    return view(hints, revealed, failures);
  }

  /**
   * Reveals hint `number` (default: the next one) and answers every revealed hint. Asking again
   * for one already revealed (a double click) reveals nothing more.
   */
  async reveal(identity: Identity, idOrSlug: string, number?: number): Promise<HintsView> {
    identity.checkAddress();
    const { id } = (await this.assignments.find(idOrSlug)).data;
    const hints = await this.hints.hintsOf(id);
    if (hints.length === 0) throw new ApiError(409, 'no_hints', 'This assignment has no hints.');
    const userId = await identity.ensure();
    try {
      return await this.revealFor(userId, id, hints, number);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // The cookie names a user the database no longer has (e.g. a reset): start afresh, where
      // the first hint is the next one.
      return this.revealFor(await identity.renew(), id, hints, 1);
    }
  }

  private async revealFor(
    userId: string,
    id: string,
    hints: AssignmentHint[],
    number: number | undefined,
  ): Promise<HintsView> {
    const [revealed, failures] = await Promise.all([
      this.hints.revealedCount(userId, id),
      this.hints.failedSubmissions(userId, id),
    ]);
    const wanted = number ?? revealed + 1;
    if (wanted <= revealed) return view(hints, revealed, failures);
    if (wanted > hints.length) {
      throw new ApiError(409, 'no_more_hints', 'Every hint of this assignment is already shown.');
    }
    if (wanted > revealed + 1) {
      throw new ApiError(409, 'hint_not_next', `Hint ${revealed + 1} comes before hint ${wanted}.`);
    }
    const needed = failuresNeeded(hints[wanted - 1]!, failures);
    if (needed > 0) {
      throw new ApiError(
        403,
        'hint_held_back',
        `Hint ${wanted} opens after ${needed} more failed submission${needed === 1 ? '' : 's'}: try it yourself first.`,
        { failuresNeeded: needed },
      );
    }
    await this.hints.reveal(userId, id, wanted - 1);
    return view(hints, await this.hints.revealedCount(userId, id), failures);
  }
}

function failuresNeeded(hint: AssignmentHint, failures: number): number {
  return Math.max(0, hint.afterFailures - failures);
}

function view(hints: AssignmentHint[], revealed: number, failures: number): HintsView {
  const shown = Math.min(revealed, hints.length);
  const next = hints[shown];
  return {
    total: hints.length,
    revealed: hints.slice(0, shown).map((hint, i) => ({ number: i + 1, text: hint.text })),
    next: next ? { number: shown + 1, failuresNeeded: failuresNeeded(next, failures) } : null,
  };
}
