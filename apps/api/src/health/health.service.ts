import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { HealthResponse } from '@koodi/contracts';
import type { RedisClient } from '@koodi/queue';
import { checkHealth } from '@koodi/server';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, REDIS } from '../infra/infra.providers';

/** Readiness: this replica can reach Postgres and Redis, and is not draining. */
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

  check(): Promise<HealthResponse> {
    return checkHealth(
      { postgres: () => this.dataSource.query('SELECT 1'), redis: () => this.redis.ping() },
      { draining: this.shuttingDown },
    );
  }
}
