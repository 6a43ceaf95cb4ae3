import type { RunView } from '@koodi/contracts';
import type { ApiClient } from './api-client.ts';
import { describeRunError } from './error-messages.ts';

export interface RunSessionDeps {
  api: Pick<ApiClient, 'run'>;
  now(): number;
}

/**
 * Runs of one student's code against one assignment's visible samples: the last answer, whether
 * one is on its way, and what went wrong. A run is never a submission: nothing here touches the
 * submission session or its history.
 */
export class RunSession {
  /** The last run's answer; kept while the next one runs. */
  result = $state<RunView | null>(null);
  running = $state(false);
  problem = $state<string | null>(null);
  /** What the program reads on stdin, as typed in the page. */
  stdin = $state('');
  retryAt = $state<number | null>(null);
  now = $state(0);

  readonly retrySeconds = $derived(
    this.retryAt === null ? 0 : Math.max(0, Math.ceil((this.retryAt - this.now) / 1000)),
  );
  readonly canRun = $derived(!this.running && this.retrySeconds === 0);
  /** What a screen reader announces when a run ends. */
  readonly announcement = $derived(
    this.running
      ? 'Running your code…'
      : this.problem
        ? this.problem
        : this.result
          ? runHeadline(this.result)
          : '',
  );

  private stopped = false;
  private readonly assignmentId: string;
  private readonly deps: RunSessionDeps;

  constructor(assignmentId: string, deps: RunSessionDeps) {
    this.assignmentId = assignmentId;
    this.deps = deps;
    this.now = deps.now();
  }

  /** Runs `code` with the current stdin; returns false when nothing was sent. */
  async run(code: string): Promise<boolean> {
    if (this.running || this.stopped) return false;
    this.tick();
    if (this.retrySeconds > 0) return false;
    if (code.trim() === '') {
      this.problem = 'Write some code before running it.';
      return false;
    }
    this.problem = null;
    this.retryAt = null;
    this.running = true;
    try {
      const result = await this.deps.api.run(this.assignmentId, code, this.stdin);
      if (!this.stopped) this.result = result;
      return true;
    } catch (error) {
      const text = describeRunError(error);
      this.problem = text.message;
      if (text.retryAfterSeconds) {
        this.now = this.deps.now();
        this.retryAt = this.now + text.retryAfterSeconds * 1000;
      }
      return false;
    } finally {
      this.running = false;
    }
  }

  /** Moves the retry countdown on; the page calls it once a second. Clears the problem once over. */
  tick(): void {
    if (this.retryAt === null) return;
    this.now = this.deps.now();
    if (this.retrySeconds === 0) {
      this.retryAt = null;
      this.problem = null;
    }
  }

  stop(): void {
    this.stopped = true;
  }
}

/** The one line a run's answer starts with. */
export function runHeadline(result: RunView): string {
  const total = result.tests.length;
  if (total === 0)
    return result.status === 'passed' ? 'Your code ran.' : 'Your code stopped with an error.';
  const passed = result.tests.filter((t) => t.outcome === 'passed').length;
  if (passed === total) return `All ${total} sample test${total === 1 ? '' : 's'} passed.`;
  return `${passed} of ${total} sample tests passed.`;
}
