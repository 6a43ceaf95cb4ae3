import { Inject, Injectable } from '@nestjs/common';
import { GRADE_SUBMISSION, type GradeSubmissionJob } from '@koodi/contracts';
import { QueueInspector, QueueProducer, type RedisClient } from '@koodi/queue';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { REDIS } from '../infra/infra.providers';

/** What the API needs of the grading queue; everything queue-specific stays behind it. */
export interface GradingQueuePort {
  /** Pushes the job; resolves with its place (the queue length right after), null if already taken. */
  enqueue(submissionId: string): Promise<number | null>;
  /** 1-based place of a waiting job, null when it is not waiting. */
  positionOf(submissionId: string): Promise<number | null>;
  /** Ids waiting or held by a consumer. */
  pendingIds(): Promise<Set<string>>;
  length(): Promise<number>;
  oldestAgeMs(): Promise<number | null>;
}

/**
 * The grading queue of @koodi/queue; the submission id is the message id, so it can be found.
 * Jobs are pushed on the shared (auto-pipelined) connection by the library's producer, whose one
 * LPUSH answers the job's place: one round trip per submission instead of a push and a length.
 */
@Injectable()
export class GradingQueue implements GradingQueuePort {
  private readonly producer: QueueProducer;
  private readonly inspector: QueueInspector;

  constructor(@Inject(API_CONFIG) config: ApiConfig, @Inject(REDIS) redis: RedisClient) {
    this.producer = new QueueProducer(redis, config.gradingQueue);
    this.inspector = new QueueInspector(redis, config.gradingQueue);
  }

  enqueue(submissionId: string): Promise<number | null> {
    const job: GradeSubmissionJob = { submissionId };
    return this.producer.emit(GRADE_SUBMISSION, job, submissionId);
  }

  positionOf(submissionId: string): Promise<number | null> {
    return this.inspector.positionOf(submissionId);
  }

  pendingIds(): Promise<Set<string>> {
    return this.inspector.pendingIds();
  }

  length(): Promise<number> {
    return this.inspector.length();
  }

  oldestAgeMs(): Promise<number | null> {
    return this.inspector.oldestAgeMs();
  }
}
