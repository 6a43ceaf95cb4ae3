import {
  type AssignmentHint,
  type AssignmentKind,
  type AssignmentLimits,
  isUuid,
} from '@koodi/contracts';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { AssignmentEntity } from '../entities/assignment.entity';

/** What content sync writes for one assignment folder. */
export interface AssignmentContent {
  slug: string;
  position: number;
  title: string;
  handoutMd: string;
  starterCode: string;
  moduleName: string;
  /** Default `function`. */
  kind?: AssignmentKind;
  testCode: string;
  sampleTestCode: string;
  limits: Partial<AssignmentLimits>;
  /** Default none. */
  hints?: AssignmentHint[];
  version: string;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export class AssignmentRepository {
  private readonly assignments: Repository<AssignmentEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.assignments = dataSource.getRepository(AssignmentEntity);
  }

  /** Every assignment in course order, without hidden tests. */
  list(): Promise<AssignmentEntity[]> {
    return this.assignments.find({ order: { position: 'ASC', slug: 'ASC' } });
  }

  /** By id or slug, without hidden tests. */
  findByIdOrSlug(idOrSlug: string): Promise<AssignmentEntity | null> {
    return this.assignments.findOne({
      where: isUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug },
    });
  }

  /** By id or slug, without hidden tests or hint text: only how many hints it has. */
  async findDetail(idOrSlug: string): Promise<(AssignmentEntity & { hintCount: number }) | null> {
    const { entities, raw } = await this.assignments
      .createQueryBuilder('a')
      .addSelect('jsonb_array_length(a.hints)', 'hint_count')
      .where(isUuid(idOrSlug) ? 'a.id = :key' : 'a.slug = :key', { key: idOrSlug })
      .getRawAndEntities<{ hint_count: number }>();
    const row = entities[0];
    return row ? Object.assign(row, { hintCount: Number(raw[0]?.hint_count ?? 0) }) : null;
  }

  /** The assignment with its hidden tests, for grading only. */
  findWithTests(id: string): Promise<AssignmentEntity | null> {
    return this.assignments
      .createQueryBuilder('a')
      .addSelect('a.testCode')
      .where('a.id = :id', { id })
      .getOne();
  }

  /** Inserts or updates by slug; runs in the caller's transaction when given one. */
  async upsertBySlug(content: AssignmentContent, manager?: EntityManager): Promise<UpsertOutcome> {
    const runner = manager ?? this.dataSource.manager;
    const [row] = await runner.query(
      `INSERT INTO assignments
         (slug, position, title, handout_md, starter_code, module_name, test_code, sample_test_code, limits, version, kind, hints)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (slug) DO UPDATE SET
         position = EXCLUDED.position, title = EXCLUDED.title, handout_md = EXCLUDED.handout_md,
         starter_code = EXCLUDED.starter_code, module_name = EXCLUDED.module_name,
         test_code = EXCLUDED.test_code, sample_test_code = EXCLUDED.sample_test_code,
         limits = EXCLUDED.limits, version = EXCLUDED.version, kind = EXCLUDED.kind, hints = EXCLUDED.hints,
         updated_at = now()
       WHERE assignments.version IS DISTINCT FROM EXCLUDED.version
          OR assignments.position IS DISTINCT FROM EXCLUDED.position
       RETURNING (xmax = 0) AS created`,
      [
        content.slug,
        content.position,
        content.title,
        content.handoutMd,
        content.starterCode,
        content.moduleName,
        content.testCode,
        content.sampleTestCode,
        JSON.stringify(content.limits),
        content.version,
        content.kind ?? 'function',
        JSON.stringify(content.hints ?? []),
      ],
    );
    if (!row) return 'unchanged';
    return row.created ? 'created' : 'updated';
  }
}
