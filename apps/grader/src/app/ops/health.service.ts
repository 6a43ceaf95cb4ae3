import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { SANDBOX, type SandboxRunner } from '../sandbox/sandbox.port';
import { REDIS_PUBLISHER } from '../grading/submission-events.publisher';

export type Check = 'up' | 'down';

export interface HealthReport {
  status: Check;
  checks: { database: Check; redis: Check; sandbox: Check };
  sandbox?: { slots: number; ready: number; busy: number; restarts: number };
}

const CHECK_TIMEOUT_MS = 2_000;

/** Ready means the grader can take a job: Postgres and Redis answer and a sandbox is alive. */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS_PUBLISHER) private readonly redis: Pick<Redis, 'ping'>,
    @Inject(SANDBOX) private readonly sandbox: SandboxRunner,
  ) {}

  async check(): Promise<HealthReport> {
    const [database, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.redis.ping()),
    ]);
    const stats = this.sandbox.stats?.();
    const sandbox: Check = !stats || stats.ready + stats.busy > 0 ? 'up' : 'down';
    const status: Check = database === 'up' && redis === 'up' && sandbox === 'up' ? 'up' : 'down';
    return {
      status,
      checks: { database, redis, sandbox },
      ...(stats && { sandbox: { slots: stats.slots, ready: stats.ready, busy: stats.busy, restarts: stats.restarts } }),
    };
  }
}

async function probe(check: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS))),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
