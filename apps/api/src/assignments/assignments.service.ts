import { Injectable } from '@nestjs/common';
import { type AssignmentDetail, type AssignmentSummary, isUuid, resolveLimits } from '@koodi/contracts';
import { AssignmentRepository, type AssignmentEntity } from '@koodi/db';
import { ApiError } from '../http/api-error';
import type { HttpAnswer } from '../http/http-answer';
import { SolvedCache } from '../me/solved-cache.service';
import { AssignmentCache, type CachedAnswer } from './assignment-cache.service';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Public answers may be reused briefly; the ETag makes revalidation cheap. */
const PUBLIC_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=30';

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
  async list(userId: string | null, ifNoneMatch: string | undefined): Promise<HttpAnswer> {
    const answer = (await this.cache.get('list', () => this.loadList()))!;
    if (!userId) return publicAnswer(answer, ifNoneMatch);
    const solved = await this.solvedCache.get(userId);
    const mine = answer.data.map((item) => (solved.has(item.id) ? { ...item, solved: true } : item));
    return { status: 200, json: JSON.stringify(mine), headers: { 'cache-control': 'private, no-store' } };
  }

  /** Every assignment in course order (shared, cached). */
  async course(): Promise<AssignmentSummary[]> {
    return (await this.cache.get('list', () => this.loadList()))!.data;
  }

  async detail(idOrSlug: string, ifNoneMatch: string | undefined): Promise<HttpAnswer> {
    return publicAnswer(await this.find(idOrSlug), ifNoneMatch);
  }

  /** The current version of an assignment (from the cache), or a 404. */
  async find(idOrSlug: string): Promise<CachedAnswer<AssignmentDetail>> {
    const key = idOrSlug.toLowerCase();
    if (key.length > 100 || !(isUuid(key) || SLUG.test(key))) throw ApiError.notFound('The assignment');
    const answer = await this.cache.get(`detail:${key}`, () => this.loadDetail(key));
    if (!answer) throw ApiError.notFound('The assignment');
    return answer;
  }

  private async loadList(): Promise<AssignmentSummary[]> {
    const rows = await this.assignments.list();
    return rows.map((row) => ({ id: row.id, slug: row.slug, position: row.position, title: row.title, solved: false }));
  }

  private async loadDetail(idOrSlug: string): Promise<AssignmentDetail | null> {
    const row = await this.assignments.findByIdOrSlug(idOrSlug);
    return row ? toDetail(row) : null;
  }
}

function toDetail(row: AssignmentEntity): AssignmentDetail {
  return {
    id: row.id,
    slug: row.slug,
    position: row.position,
    title: row.title,
    handout: row.handoutMd,
    starterCode: row.starterCode,
    sampleTests: row.sampleTestCode,
    moduleName: row.moduleName,
    limits: resolveLimits(row.limits),
    version: row.version,
  };
}

function publicAnswer(answer: CachedAnswer<unknown>, ifNoneMatch: string | undefined): HttpAnswer {
  const headers = { 'cache-control': PUBLIC_CACHE_CONTROL, etag: answer.etag, vary: 'Cookie' };
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === answer.etag)) {
    return { status: 304, json: '', headers };
  }
  return { status: 200, json: answer.body, headers };
}
