import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { SubmissionStatus } from '@koodi/contracts';
import { SubmissionRepository } from '@koodi/db';
import { SubmissionEvents } from '../events/submission-events.service';

const TTL_MS = 30_000;
/** Enough for a large course online at once, small enough to stay a few MB per replica. */
const MAX_ENTRIES = 10_000;

interface Entry {
  solved: Promise<Set<string>>;
  expiresAt: number;
}

/**
 * Which assignments a student has solved, kept briefly in memory. It served the course list with
 * the student's flags; the list is public now (GET /api/me carries the solved ids) and nothing
 * calls `get`: the submission path still drops entries, until both go. A `passed` event for the student (every replica
 * sees every event) or a pass learned another way (see `learn`) drops the entry; the TTL bounds the rest.
 */
@Injectable()
export class SolvedCache implements OnModuleInit {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly submissions: SubmissionRepository,
    private readonly events: SubmissionEvents,
  ) {}

  onModuleInit(): void {
    this.events.onAny((event) => {
      if (!event) this.entries.clear();
      else if (event.status === 'passed') this.invalidate(event.userId);
    });
  }

  get(userId: string, now = Date.now()): Promise<Set<string>> {
    const entry = this.entries.get(userId);
    if (entry && entry.expiresAt > now) return entry.solved;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const solved = this.submissions.solvedAssignmentIds(userId).then((ids) => new Set(ids));
    this.entries.set(userId, { solved, expiresAt: now + TTL_MS });
    solved.catch(() => this.entries.delete(userId));
    return solved;
  }

  invalidate(userId: string): void {
    this.entries.delete(userId);
  }

  /** A status learned without its event (a retried request, a re-read after a lost event). */
  learn(userId: string, status: SubmissionStatus): void {
    if (status === 'passed') this.invalidate(userId);
  }
}
