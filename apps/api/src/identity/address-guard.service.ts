import { Inject, Injectable } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { ApiError } from '../http/api-error';

const MAX_ADDRESSES = 100_000;

/**
 * A coarse flood guard per client address on the writing endpoints, counted in this process
 * only (no I/O). It must let a whole classroom behind one NAT address through: the real
 * per-student limit is the RateLimiter.
 */
@Injectable()
export class AddressGuard {
  private counts = new Map<string, number>();
  private windowStart = 0;

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /** Counts one request from `address`; throws 429 past the limit. */
  check(address: string, now = Date.now()): void {
    const limit = this.config.rateLimitIpPerMinute;
    if (limit === 0) return;
    const window = Math.floor(now / 60_000) * 60_000;
    if (window !== this.windowStart) {
      this.windowStart = window;
      this.counts = new Map();
    }
    // Addresses are cheap to rotate (IPv6): past the cap, forget the window rather than grow.
    if (this.counts.size >= MAX_ADDRESSES && !this.counts.has(address)) this.counts = new Map();
    const count = (this.counts.get(address) ?? 0) + 1;
    this.counts.set(address, count);
    if (count > limit) {
      const retryAfter = Math.max(1, Math.ceil((window + 60_000 - now) / 1000));
      throw new ApiError(
        429,
        'rate_limited',
        'Too many requests from this address; try again in a moment.',
        { retryAfterSeconds: retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
  }
}
