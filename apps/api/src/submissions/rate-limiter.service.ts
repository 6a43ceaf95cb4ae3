import { Inject, Injectable, Logger } from '@nestjs/common';
import { REDIS } from '../infra/infra.providers';
import type { RedisClient } from '@koodi/queue';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets, when not allowed. */
  retryAfterSeconds: number;
}

/** Fixed one-minute windows in Redis, shared by every replica: one round trip per check. */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /**
   * Fails open: while Redis is unreachable a submission is still written (the reconciler
   * queues it later), and the one-in-flight rule in Postgres still bounds each student.
   */
  async hit(subject: string, perMinute: number, now = Date.now()): Promise<RateDecision> {
    if (perMinute === 0) return { allowed: true, retryAfterSeconds: 0 };
    const window = Math.floor(now / 60_000);
    // One hash tag per subject: its MULTI stays on one Redis Cluster slot, subjects spread out.
    const key = `ratelimit:{${subject}}:${window}`;
    let count: number;
    try {
      const results = await this.redis.multi().incr(key).pexpire(key, 61_000, 'NX').exec();
      count = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      this.logger.warn(`rate limit not checked: ${String(error)}`);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    if (count <= perMinute) return { allowed: true, retryAfterSeconds: 0 };
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000)),
    };
  }
}
