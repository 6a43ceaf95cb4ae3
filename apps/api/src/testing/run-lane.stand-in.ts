import { RUN_CODE, type RunCodeJob, type RunResult } from '@koodi/contracts';
import { RedisListServer } from '@koodi/queue';
import type { ApiConfig } from '../config/api.config';

/**
 * A grader's Run lane as far as the API can tell: a real Redis-list server on the API's
 * RUN_QUEUE answering with `answer` (the real one, with the sandbox, is the grader's spec).
 */
export class RunLaneStandIn {
  readonly jobs: RunCodeJob[] = [];

  private constructor(private readonly server: RedisListServer) {}

  static async start(
    config: ApiConfig,
    answer: (job: RunCodeJob) => Promise<RunResult> | RunResult,
    heartbeatTtlMs = 10_000,
  ): Promise<RunLaneStandIn> {
    const server = new RedisListServer({
      redisUrl: config.redisUrl,
      queue: config.runQueue,
      concurrency: 4,
      heartbeatTtlMs,
      maxAttempts: 2,
      shutdownTimeoutMs: 0,
    });
    const standIn = new RunLaneStandIn(server);
    server.addHandler(
      RUN_CODE,
      async (job: RunCodeJob) => {
        standIn.jobs.push(job);
        return answer(job);
      },
      false,
    );
    await new Promise<void>((resolve, reject) => {
      server.listen((error?: unknown) => (error ? reject(error) : resolve())).catch(reject);
    });
    return standIn;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export const passedRun = (output = ''): RunResult => ({
  verdict: 'passed',
  feedback: {
    summary: 'All 1 tests passed.',
    tests: [{ name: 'test_sample', outcome: 'passed', message: '' }],
    output,
    outputTruncated: false,
  },
  durationMs: 3,
});
