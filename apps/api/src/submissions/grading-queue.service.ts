import { Inject, Injectable } from '@nestjs/common';
import { GRADE_SUBMISSION, type GradeSubmissionJob } from '@koodi/contracts';
import { JsonQueueSerializer, QueueInspector, queueKeys, type RedisClient } from '@koodi/queue';
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
 * Jobs are pushed on the shared (auto-pipelined) connection in the envelope the queue's own
 * serializer writes, and LPUSH answers the length right after the push, which is the job's place:
 * one round trip per submission instead of a push and a separate length.
 */
@Injectable()
export class GradingQueue implements GradingQueuePort {
  private readonly serializer = new JsonQueueSerializer();
  private readonly inspector: QueueInspector;
  private readonly keys: ReturnType<typeof queueKeys>;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {
    this.inspector = new QueueInspector(redis, config.gradingQueue);
    this.keys = queueKeys(config.gradingQueue);
  }

  async enqueue(submissionId: string): Promise<number | null> {
    const data: GradeSubmissionJob = { submissionId };
    const envelope = { id: submissionId, pattern: GRADE_SUBMISSION, data, enqueuedAt: Date.now() };
    return this.redis.lpush(this.keys.queue, this.serializer.serialize(envelope));
  }

  positionOf(submissionId: string): Promise<number | null> {
    return this.inspector.positionOf(submissionId);
  }

  async pendingIds(): Promise<Set<string>> {
    const consumers = await this.redis.smembers(this.keys.consumers);
    const lists = await Promise.all([
      this.redis.lrange(this.keys.queue, 0, -1),
      ...consumers.map((id) => this.redis.lrange(this.keys.processing(id), 0, -1)),
    ]);
    const ids = new Set<string>();
    for (const raw of lists.flat()) {
      try {
        const id = (JSON.parse(raw) as { id?: unknown }).id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // an element in another format names no submission of ours
      }
    }
    return ids;
  }

  length(): Promise<number> {
    return this.inspector.length();
  }

  oldestAgeMs(): Promise<number | null> {
    return this.inspector.oldestAgeMs();
  }
}
