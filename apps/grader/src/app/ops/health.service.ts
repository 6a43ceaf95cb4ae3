import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import type { HealthResponse } from '@koodi/contracts';
import { checkHealth } from '@koodi/server';
import { SANDBOX, type SandboxRunner } from '../sandbox/sandbox.port';
import { REDIS_PUBLISHER } from '../grading/submission-events.publisher';

/** Ready means the grader can take a job: Postgres and Redis answer and a sandbox is alive. */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS_PUBLISHER) private readonly redis: Pick<Redis, 'ping'>,
    @Inject(SANDBOX) private readonly sandbox: SandboxRunner,
  ) {}

  check(): Promise<HealthResponse> {
    const stats = this.sandbox.stats?.();
    return checkHealth(
      {
        postgres: () => this.dataSource.query('SELECT 1'),
        redis: () => this.redis.ping(),
        sandbox: async () => {
          if (stats && stats.ready + stats.busy === 0) throw new Error('no sandbox alive');
        },
      },
      stats && {
        details: {
          sandbox: {
            slots: stats.slots,
            ready: stats.ready,
            busy: stats.busy,
            restarts: stats.restarts,
          },
        },
      },
    );
  }
}
