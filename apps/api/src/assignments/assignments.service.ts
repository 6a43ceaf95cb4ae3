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

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

@Injectable()
export class AssignmentsService {
  constructor(
    private readonly cache: AssignmentCache,
    private readonly assignments: AssignmentRepository,
  ) {}

  /**
   * The course in order: one answer for everyone, with no student's state in it, so NGINX can
   * cache it (the student's solved ids come with GET /api/me).
   */
  async list(): Promise<CachedAnswer<AssignmentSummary[]>> {
    return (await this.cache.get('list', () => this.loadList()))!;
  }

  /** Every assignment in course order (shared, cached). */
  async course(): Promise<AssignmentSummary[]> {
    return (await this.list()).data;
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
