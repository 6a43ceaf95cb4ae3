import type { HintsView } from '@koodi/contracts';
import type { ApiClient } from './api-client.ts';
import { ApiError } from './api-error.ts';

export interface HintsSessionDeps {
  api: Pick<ApiClient, 'hints' | 'revealHint'>;
}

/**
 * One student's hints for one assignment: those revealed so far, the next one on request, and
 * why it cannot be shown yet when the assignment holds it back.
 */
export class HintsSession {
  view = $state<HintsView | null>(null);
  busy = $state(false);
  problem = $state<string | null>(null);

  /** How many hints the assignment has (from its detail, before anything is loaded). */
  total = $state(0);
  readonly revealed = $derived(this.view?.revealed ?? []);
  /** The next hint's number while there is one to ask for. */
  readonly nextNumber = $derived(
    this.view ? (this.view.next?.number ?? null) : this.total > 0 ? 1 : null,
  );
  readonly buttonLabel = $derived(
    this.nextNumber === null ? '' : `Show a hint (${this.nextNumber} of ${this.total})`,
  );
  /** Failed submissions still needed before the next hint opens; 0 when it can be shown. */
  readonly failuresNeeded = $derived(this.view?.next?.failuresNeeded ?? 0);
  readonly heldBack = $derived(
    this.failuresNeeded > 0
      ? `The next hint opens after ${this.failuresNeeded} more failed submission${this.failuresNeeded === 1 ? '' : 's'}. Try it yourself first.`
      : null,
  );
  readonly canReveal = $derived(
    !this.busy && this.nextNumber !== null && this.failuresNeeded === 0,
  );

  private readonly assignmentId: string;
  private readonly deps: HintsSessionDeps;

  constructor(assignmentId: string, total: number, deps: HintsSessionDeps) {
    this.assignmentId = assignmentId;
    this.total = total;
    this.deps = deps;
  }

  /** Reads what the student has revealed (again after a submission, as failures open hints). */
  async load(): Promise<void> {
    if (this.total === 0) return;
    try {
      this.view = await this.deps.api.hints(this.assignmentId);
    } catch {
      // The hints are extra: the page works without them, and the next reveal tries again.
    }
  }

  /** Reveals the next hint; returns false when nothing was revealed. */
  async reveal(): Promise<boolean> {
    const number = this.nextNumber;
    if (this.busy || number === null) return false;
    this.busy = true;
    this.problem = null;
    try {
      this.view = await this.deps.api.revealHint(this.assignmentId, number);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'hint_held_back' && this.view?.next) {
        const details = error.details as { failuresNeeded?: number } | undefined;
        this.view = {
          ...this.view,
          next: { ...this.view.next, failuresNeeded: details?.failuresNeeded ?? 1 },
        };
      } else {
        this.problem =
          error instanceof ApiError && !error.isNetwork
            ? error.message
            : 'The hint could not be loaded. Check your connection and try again.';
      }
      return false;
    } finally {
      this.busy = false;
    }
  }
}
