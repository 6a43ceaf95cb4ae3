import type { AssignmentKind, AssignmentLimits } from '@koodi/contracts';
import type { AssignmentRepository } from '@koodi/db';

export type AssignmentSource = Pick<AssignmentRepository, 'findWithTests'>;

/** What grading needs of an assignment. */
export interface AssignmentTests {
  id: string;
  version: string;
  moduleName: string;
  kind: AssignmentKind;
  testCode: string;
  limits: Partial<AssignmentLimits>;
}

/**
 * Hidden tests by assignment id and version, kept in memory: a version is a content hash, so an
 * entry never goes stale, and a new version is simply a new key.
 */
export class AssignmentTestsCache {
  private readonly entries = new Map<string, AssignmentTests>();
  private readonly loading = new Map<string, Promise<AssignmentTests | null>>();

  constructor(
    private readonly source: AssignmentSource,
    private readonly capacity = 512,
  ) {}

  /**
   * The tests of `version` when cached, else the assignment's current tests. A submission made
   * before a content update is graded against the tests there are now: older ones are not kept.
   */
  async get(assignmentId: string, version: string): Promise<AssignmentTests | null> {
    const cached = this.entries.get(key(assignmentId, version));
    if (cached) return cached;
    // Concurrent jobs for the same assignment share one query.
    let pending = this.loading.get(assignmentId);
    if (!pending) {
      pending = this.load(assignmentId).finally(() => this.loading.delete(assignmentId));
      this.loading.set(assignmentId, pending);
    }
    return pending;
  }

  get size(): number {
    return this.entries.size;
  }

  private async load(assignmentId: string): Promise<AssignmentTests | null> {
    const row = await this.source.findWithTests(assignmentId);
    if (!row) return null;
    const tests: AssignmentTests = {
      id: row.id,
      version: row.version,
      moduleName: row.moduleName,
      kind: row.kind ?? 'function',
      testCode: row.testCode,
      limits: row.limits ?? {},
    };
    if (this.entries.size >= this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key(row.id, row.version), tests);
    return tests;
  }
}

const key = (assignmentId: string, version: string) => `${assignmentId}\u0000${version}`;
