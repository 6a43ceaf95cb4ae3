import type { GradingQueuePort } from './grading-queue.service';

/** In-memory grading queue: jobs are pushed at the end and taken from the front. */
export class FakeGradingQueue implements GradingQueuePort {
  readonly jobs: string[] = [];
  /** When set, the next enqueue fails as if Redis were down. */
  failNext = false;

  async enqueue(submissionId: string): Promise<number | null> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection refused');
    }
    this.jobs.push(submissionId);
    return this.jobs.length;
  }

  async positionOf(submissionId: string): Promise<number | null> {
    const index = this.jobs.indexOf(submissionId);
    return index < 0 ? null : index + 1;
  }

  async pendingIds(): Promise<Set<string>> {
    return new Set(this.jobs);
  }

  async length(): Promise<number> {
    return this.jobs.length;
  }

  async oldestAgeMs(): Promise<number | null> {
    return this.jobs.length ? 0 : null;
  }
}
