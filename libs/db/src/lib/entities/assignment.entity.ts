import type { AssignmentHint, AssignmentKind, AssignmentLimits } from '@koodi/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'assignments' })
export class AssignmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  title!: string;

  @Column({ name: 'handout_md', type: 'text' })
  handoutMd!: string;

  @Column({ name: 'starter_code', type: 'text' })
  starterCode!: string;

  /** `function`: the tests import the code; `program`: it runs once per case (test_code holds the cases). */
  @Column({ type: 'text', default: 'function' })
  kind!: AssignmentKind;

  @Column({ name: 'module_name', type: 'text' })
  moduleName!: string;

  /** Hidden tests: never serialised to a client. */
  @Column({ name: 'test_code', type: 'text', select: false })
  testCode!: string;

  @Column({ name: 'sample_test_code', type: 'text' })
  sampleTestCode!: string;

  /** Overrides of the default limits; see resolveLimits in @koodi/contracts. */
  @Column({ type: 'jsonb' })
  limits!: Partial<AssignmentLimits>;

  /** Hints in order: never serialised to a client except one by one as a student reveals them. */
  @Column({ type: 'jsonb', select: false })
  hints?: AssignmentHint[];

  @Column({ type: 'text' })
  version!: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', insert: false })
  updatedAt!: Date;
}
