import { Injectable } from '@nestjs/common';
import {
  type AssignmentDetail,
  type AssignmentSummary,
  isUuid,
  resolveLimits,
} from '@koodi/contracts';
import { AssignmentRepository, type AssignmentEntity } from '@koodi/db';
import { ApiError } from '../http/api-error';
import { AssignmentCache, type CachedAnswer } from './assignment-cache.service';
import { SolvedCache } from './solved-cache.service';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The course list: the one shared (cacheable) answer, or a student's own copy with solved flags. */
export type CourseList =
  | { kind: 'shared'; answer: CachedAnswer<AssignmentSummary[]> }
  | { kind: 'personal'; items: AssignmentSummary[] };

@Injectable()
export class AssignmentsService {
  constructor(
    private readonly cache: AssignmentCache,
    private readonly assignments: AssignmentRepository,
    private readonly solvedCache: SolvedCache,
  ) {}

  /**
   * The course in order. Anonymous callers get the shared, cacheable answer; a student with an
   * identity gets it with their own solved flags, private and never stored.
   */
  async list(userId: string | null): Promise<CourseList> {
    const answer = (await this.cache.get('list', () => this.loadList()))!;
    if (!userId) return { kind: 'shared', answer };
    const solved = await this.solvedCache.get(userId);
    return {
      kind: 'personal',
      items: answer.data.map((item) => (solved.has(item.id) ? { ...item, solved: true } : item)),
    };
  }

  /** Every assignment in course order (shared, cached). */
  async course(): Promise<AssignmentSummary[]> {
    return (await this.cache.get('list', () => this.loadList()))!.data;
  }

  /** The current version of an assignment (from the cache, shared by everyone), or a 404. */
  async find(idOrSlug: string): Promise<CachedAnswer<AssignmentDetail>> {
    const key = idOrSlug.toLowerCase();
    if (key.length > 100 || !(isUuid(key) || SLUG.test(key)))
      throw ApiError.notFound('The assignment');
    const answer = await this.cache.get(`detail:${key}`, () => this.loadDetail(key));
    if (!answer) throw ApiError.notFound('The assignment');
    return answer;
  }

  private async loadList(): Promise<AssignmentSummary[]> {
    const rows = await this.assignments.list();
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      position: row.position,
      title: row.title,
      solved: false,
    }));
  }

  private async loadDetail(idOrSlug: string): Promise<AssignmentDetail | null> {
    const row = await this.assignments.findDetail(idOrSlug);
    return row ? toDetail(row) : null;
  }
}

function toDetail(row: AssignmentEntity & { hintCount: number }): AssignmentDetail {
  return {
    id: row.id,
    slug: row.slug,
    position: row.position,
    title: row.title,
    handout: row.handoutMd,
    starterCode: row.starterCode,
    kind: row.kind ?? 'function',
    sampleTests: row.sampleTestCode,
    moduleName: row.moduleName,
    limits: resolveLimits(row.limits),
    version: row.version,
    hintCount: row.hintCount,
  };
}
