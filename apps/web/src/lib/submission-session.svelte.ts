import { IN_FLIGHT_STATUSES, isFinalStatus } from '@koodi/contracts';
import type {
  SubmissionHistoryItem,
  SubmissionStatus,
  SubmissionView,
  SubmissionWithCode,
} from '@koodi/contracts';
import type { ApiClient } from './api-client.ts';
import { describeLoadError, describeSubmitError, rateLimitText } from './error-messages.ts';
import { watchSubmission } from './submission-watcher.ts';
import type { Connection, Watch, WatcherDeps } from './submission-watcher.ts';

/** Queued or grading: the one test of "still waiting for a verdict" the page uses. */
export function isPending(status: SubmissionStatus): boolean {
  return (IN_FLIGHT_STATUSES as readonly string[]).includes(status);
}

export interface SubmissionSessionDeps {
  api: Pick<ApiClient, 'submit' | 'submission' | 'history'>;
  watcher: WatcherDeps;
  now(): number;
  /** Called once a submission reaches a final status, e.g. to refresh points and solved flags. */
  onSettled?(view: SubmissionView): Promise<unknown> | void;
}

/** How long "You can submit again now." stays once a rate limit has passed. */
export const READY_NOTICE_MS = 5000;

interface Problem {
  message: string;
  /** The API said to wait: the text counts down to `retryAt`. */
  rateLimited?: boolean;
}

/**
 * Everything about one student's submissions to one assignment: what was submitted, where the
 * shown submission stands (following it until it is final), the earlier ones, and what went wrong
 * when submitting did not work. Components read its fields and call its methods; none of them
 * decides for itself whether a submission is still pending.
 */
export class SubmissionSession {
  /** The submission shown as the result, if any; with its code when loaded on its own (an earlier one). */
  current = $state<SubmissionView | SubmissionWithCode | null>(null);
  /** True when `current` comes from the history (an earlier visit), not from the last submit. */
  currentIsEarlier = $state(false);
  /** The student's submissions to this assignment, newest first. */
  history = $state<SubmissionHistoryItem[]>([]);
  /** How updates reach the page while a submission is followed; null when none is. */
  connection = $state<Connection | null>(null);
  problem = $state<Problem | null>(null);
  submitting = $state(false);
  retryAt = $state<number | null>(null);
  now = $state(0);

  /** A submission is on its way: submitting again would only duplicate it. */
  readonly busy = $derived(
    this.submitting ||
      (this.current !== null && !this.currentIsEarlier && isPending(this.current.status)),
  );
  readonly retrySeconds = $derived(
    this.retryAt === null ? 0 : Math.max(0, Math.ceil((this.retryAt - this.now) / 1000)),
  );
  readonly canSubmit = $derived(!this.busy && this.retrySeconds === 0);
  readonly problemText = $derived(
    this.problem === null
      ? ''
      : this.problem.rateLimited
        ? this.retrySeconds > 0
          ? rateLimitText(this.retrySeconds)
          : 'You can submit again now.'
        : this.problem.message,
  );
  /**
   * The earlier submissions as the list shows them: the one just made is among them from the
   * moment it is queued, with its live status, not only once the reloaded list includes it.
   */
  readonly historyShown = $derived.by((): SubmissionHistoryItem[] => {
    const live = this.current;
    if (!live || this.currentIsEarlier || !isPending(live.status)) return this.history;
    const row: SubmissionHistoryItem = {
      id: live.id,
      status: live.status,
      verdict: live.verdict,
      summary: null,
      createdAt: live.createdAt,
      label: live.title,
    };
    return this.history.some((item) => item.id === live.id)
      ? this.history.map((item) => (item.id === live.id ? row : item))
      : [row, ...this.history];
  });
  /** What a screen reader announces: the headline of the submission just made. */
  readonly announcement = $derived(
    this.current && !this.currentIsEarlier ? this.current.title : '',
  );

  private watch: Watch | null = null;
  private stopped = false;
  private readonly assignmentId: string;
  private readonly deps: SubmissionSessionDeps;

  constructor(assignmentId: string, deps: SubmissionSessionDeps) {
    this.assignmentId = assignmentId;
    this.deps = deps;
    this.now = deps.now();
  }

  /**
   * Loads the earlier submissions; with `restoreLatest`, shows the newest one when nothing is
   * shown. `requested` is the list already asked for (by slug, before the assignment's id was known).
   */
  async loadHistory(
    restoreLatest: boolean,
    requested?: Promise<SubmissionHistoryItem[]>,
  ): Promise<void> {
    try {
      const items = await (requested ?? this.deps.api.history(this.assignmentId));
      if (this.stopped) return;
      this.history = [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const latest = this.history[0];
      if (restoreLatest && this.current === null && latest) await this.show(latest.id, true);
    } catch {
      // The list of earlier submissions is a convenience; the page works without it.
    }
  }

  /** Shows one submission, following it if it is still pending. Ignored while one is on its way. */
  async show(id: string, earlier: boolean): Promise<void> {
    try {
      const view = await this.deps.api.submission(id);
      if (this.stopped) return;
      if (isPending(view.status)) this.follow(view);
      else {
        this.stopWatching();
        this.current = view;
        this.currentIsEarlier = earlier;
      }
    } catch (error) {
      this.problem = { message: describeLoadError(error, 'that submission') };
    }
  }

  /** Submits `code`; returns false when nothing was sent (busy, waiting out a rate limit, empty). */
  async submit(code: string): Promise<boolean> {
    if (this.busy || this.stopped) return false;
    this.tick();
    if (this.retrySeconds > 0) {
      this.problem = { message: '', rateLimited: true };
      return false;
    }
    if (code.trim() === '') {
      this.problem = { message: 'Write some code before submitting.' };
      return false;
    }
    this.problem = null;
    this.retryAt = null;
    this.submitting = true;
    try {
      const { view } = await this.deps.api.submit(this.assignmentId, code);
      if (!this.stopped) this.follow(view);
      return true;
    } catch (error) {
      const text = describeSubmitError(error);
      if (text.retryAfterSeconds) {
        this.now = this.deps.now();
        this.retryAt = this.now + text.retryAfterSeconds * 1000;
        this.problem = { message: text.message, rateLimited: true };
      } else {
        this.problem = { message: text.message };
      }
      // The API names the submission already on its way: show that one instead.
      if (text.inFlightSubmissionId) void this.show(text.inFlightSubmissionId, false);
      return false;
    } finally {
      this.submitting = false;
    }
  }

  /**
   * Moves the rate-limit countdown on; the page calls it once a second. Once the wait is over the
   * box says so for a few seconds, then goes: a passed limit is no problem any more.
   */
  tick(): void {
    if (this.retryAt === null) return;
    this.now = this.deps.now();
    if (this.now < this.retryAt + READY_NOTICE_MS) return;
    this.retryAt = null;
    if (this.problem?.rateLimited) this.problem = null;
  }

  /** Checks at once, e.g. when the browser is back online. */
  poke(): void {
    this.watch?.poke();
  }

  /** Stops following; the session ignores every later answer. */
  stop(): void {
    this.stopped = true;
    this.stopWatching();
  }

  private stopWatching(): void {
    this.watch?.stop();
    this.watch = null;
    this.connection = null;
  }

  private follow(view: SubmissionView): void {
    this.stopWatching();
    this.current = view;
    this.currentIsEarlier = false;
    if (isFinalStatus(view.status)) {
      void this.settle(view);
      return;
    }
    this.watch = watchSubmission(
      view.id,
      {
        onUpdate: (update) => {
          this.current = update;
          if (isFinalStatus(update.status)) void this.settle(update);
        },
        onConnection: (next) => (this.connection = next),
        onGone: () => {
          this.stopWatching();
          this.current = null;
          this.problem = { message: 'That submission could not be found any more.' };
        },
      },
      this.deps.watcher,
    );
  }

  private async settle(view: SubmissionView): Promise<void> {
    this.watch = null;
    this.connection = null;
    await Promise.all([
      Promise.resolve()
        .then(() => this.deps.onSettled?.(view))
        .catch(() => undefined),
      this.loadHistory(false),
    ]);
  }
}
