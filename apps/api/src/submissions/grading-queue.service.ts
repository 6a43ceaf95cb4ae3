import { Inject, Injectable } from '@nestjs/common';
import { GRADE_SUBMISSION, type GradeSubmissionJob } from '@koodi/contracts';
import { Redis } from 'ioredis';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { REDIS } from '../infra/infra.providers';

/** What the API needs of the grading queue; everything queue-specific stays behind it. */
export interface GradingQueuePort {
  /** Pushes the job; resolves with the queue length afterwards (the job's place, roughly). */
  enqueue(submissionId: string): Promise<number>;
  /** 1-based place of a waiting job, null when it is not waiting. */
  positionOf(submissionId: string): Promise<number | null>;
  /** Ids waiting or being handled by a consumer. */
  pendingIds(): Promise<Set<string>>;
  length(): Promise<number>;
  oldestAgeMs(): Promise<number | null>;
}

const POSITION_OF = `
local prefix = ARGV[1]
local plen = #prefix
local len = redis.call('LLEN', KEYS[1])
local from = 1
while from <= len do
  local to = math.min(from + 499, len)
  local items = redis.call('LRANGE', KEYS[1], -to, -from)
  for i = #items, 1, -1 do
    if string.sub(items[i], 1, plen) == prefix then return from + (#items - i) end
  end
  from = to + 1
end
return -1`;

/**
 * The queue in the wire format of @koodi/queue (JSON envelope, id first, LPUSH onto the list,
 * consumers take from the right), with the submission id as the message id.
 */
@Injectable()
export class GradingQueue implements GradingQueuePort {
  private readonly queue: string;

  constructor(
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.queue = config.gradingQueue;
  }

  async enqueue(submissionId: string): Promise<number> {
    const data: GradeSubmissionJob = { submissionId };
    const envelope = JSON.stringify({ id: submissionId, pattern: GRADE_SUBMISSION, data, enqueuedAt: Date.now() });
    return this.redis.lpush(this.queue, envelope);
  }

  async positionOf(submissionId: string): Promise<number | null> {
    const found = Number(await this.redis.eval(POSITION_OF, 1, this.queue, `{"id":${JSON.stringify(submissionId)},`));
    return found > 0 ? found : null;
  }

  async pendingIds(): Promise<Set<string>> {
    const consumers = await this.redis.smembers(`${this.queue}:consumers`);
    const lists = await Promise.all([
      this.redis.lrange(this.queue, 0, -1),
      ...consumers.map((id) => this.redis.lrange(`${this.queue}:processing:${id}`, 0, -1)),
    ]);
    const ids = new Set<string>();
    for (const raw of lists.flat()) {
      try {
        const id = (JSON.parse(raw) as { id?: unknown }).id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // not one of ours
      }
    }
    return ids;
  }

  length(): Promise<number> {
    return this.redis.llen(this.queue);
  }

  async oldestAgeMs(): Promise<number | null> {
    const head = await this.redis.lindex(this.queue, -1);
    if (head === null) return null;
    try {
      return Math.max(0, Date.now() - Number((JSON.parse(head) as { enqueuedAt: number }).enqueuedAt));
    } catch {
      return null;
    }
  }
}
