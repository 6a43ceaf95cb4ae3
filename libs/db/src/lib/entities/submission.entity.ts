import type { Feedback, SubmissionStatus, Verdict } from '@koodi/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'submissions' })
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'assignment_id', type: 'uuid' })
  assignmentId!: string;

  @Column({ name: 'assignment_version', type: 'text' })
  assignmentVersion!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ name: 'code_sha256', type: 'char', length: 64 })
  codeSha256!: string;

  @Column({ type: 'text', default: 'queued' })
  status!: SubmissionStatus;

  @Column({ type: 'text', nullable: true })
  verdict!: Verdict | null;

  @Column({ type: 'jsonb', nullable: true })
  feedback!: Feedback | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The identical in-flight submission this one joined instead of being queued. */
  @Column({ name: 'duplicate_of', type: 'uuid', nullable: true })
  duplicateOf!: string | null;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'graded_at', type: 'timestamptz', nullable: true })
  gradedAt!: Date | null;

  @Column({ name: 'grading_ms', type: 'integer', nullable: true })
  gradingMs!: number | null;

  /** False when the job was found to have changed its sandbox: the verdict is never copied. */
  @Column({ name: 'slot_intact', type: 'boolean', default: true })
  slotIntact!: boolean;
}
