import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { HealthResponse } from '@koodi/contracts';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, REDIS } from '../infra/infra.providers';
import type { RedisClient } from '@koodi/queue';

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref()),
  ]);
}

/** Readiness: this replica can reach Postgres and Redis. */
@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  /** Draining: readiness fails so load balancers stop sending new work here. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  async check(): Promise<HealthResponse> {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.dataSource.query('SELECT 1')).then(() => 'up' as const, () => 'down' as const),
      withTimeout(this.redis.ping()).then(() => 'up' as const, () => 'down' as const),
    ]);
    const ok = postgres === 'up' && redis === 'up' && !this.shuttingDown;
    return { status: ok ? 'ok' : 'degraded', postgres, redis };
  }
}
