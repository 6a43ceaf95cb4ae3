import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import {
  GRADE_SUBMISSION,
  isFinalStatus,
  type AssignmentLimits,
  type GradeSubmissionJob,
} from '@koodi/contracts';
import {
  AssignmentRepository,
  createDataSource,
  SubmissionRepository,
  UserRepository,
  type AssignmentEntity,
  type SubmissionEntity,
} from '@koodi/db';
import { insertSubmissionRow } from '@koodi/db/testing';
import { closeRedis, createRedis, QueueProducer, type RedisClient } from '@koodi/queue';
import { Cluster } from 'ioredis';
import { loadGraderConfig, type GraderConfig } from '../app/config/grader.config';

export const HELLO_TESTS = `import unittest

from greeting import hello


class HelloTests(unittest.TestCase):
    def test_returns_hello(self):
        self.assertEqual(hello(), "Hello")
`;

export const PASSING = 'def hello():\n    return "Hello"\n';
export const FAILING = 'def hello():\n    return "Goodbye"\n';
/** Passes, but only after `seconds` of wall time. */
export const sleepingThenPassing = (seconds: number) =>
  `import time\n\ndef hello():\n    return "Hello"\n\ntime.sleep(${seconds})\n`;

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run through `nx test-int grader`');
  return url;
}

export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run through `nx test-int grader`');
  return url;
}

/** A queue of this test file's own, so files running at the same time never see each other's jobs. */
export function uniqueQueue(label: string): string {
  return `grading:test:${label}:${randomUUID().slice(0, 8)}`;
}

/** The Run lane that goes with a test file's queue. */
export function runQueueOf(queue: string): string {
  return `${queue}:runs`;
}

export function testConfig(queue: string, overrides: Partial<GraderConfig> = {}): GraderConfig {
  return {
    ...loadGraderConfig({
      DATABASE_URL: databaseUrl(),
      REDIS_URL: redisUrl(),
      GRADING_QUEUE: queue,
      // Only the specs of the Run lane start one (on a queue of their own, in the same slot).
      RUN_QUEUE: runQueueOf(queue),
      RUN_SLOTS: '0',
      GRADER_SLOTS: '2',
      GRADER_ID: `test-${randomUUID().slice(0, 8)}`,
      OPS_PORT: '0',
      LOG_LEVEL: process.env.GRADER_TEST_LOG_LEVEL ?? 'error',
    }),
    ...overrides,
  };
}

/** Rows and jobs for one test file: its own users and assignments, and a producer on its queue. */
export class GradingFixtures {
  readonly dataSource: DataSource;
  readonly users: UserRepository;
  readonly assignments: AssignmentRepository;
  readonly submissions: SubmissionRepository;
  private readonly producer: QueueProducer;
  private readonly producerRedis: RedisClient;
  private readonly redis: RedisClient;

  private constructor(
    dataSource: DataSource,
    readonly queue: string,
    url: string,
  ) {
    this.dataSource = dataSource;
    this.users = new UserRepository(dataSource);
    this.assignments = new AssignmentRepository(dataSource);
    this.submissions = new SubmissionRepository(dataSource);
    // Jobs go in as the API pushes them: the submission id as message id, on an auto-pipelined connection.
    this.producerRedis = createRedis(url, { enableAutoPipelining: true });
    this.producer = new QueueProducer(this.producerRedis, queue);
    this.redis = createRedis(url, { maxRetriesPerRequest: 1 });
  }

  /** `url` defaults to the test run's Redis; a `redis+cluster://` URL works as well. */
  static async open(queue: string, url = redisUrl()): Promise<GradingFixtures> {
    const dataSource = await createDataSource({
      url: databaseUrl(),
      poolSize: 3,
      applicationName: 'grader-tests',
    }).initialize();
    return new GradingFixtures(dataSource, queue, url);
  }

  async close(): Promise<void> {
    await closeRedis(this.producerRedis);
    // Only this file's keys: the queue and what the transport derived from its name.
    await this.redis.connect().catch(() => undefined);
    // KEYS on a cluster asks one random node; a test cluster is thrown away whole instead.
    const keys = this.redis instanceof Cluster ? [] : await this.redis.keys(`${this.queue}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
    await this.dataSource.destroy();
  }

  async assignment(
    testCode = HELLO_TESTS,
    limits: Partial<AssignmentLimits> = {},
  ): Promise<AssignmentEntity> {
    const slug = `grader-test-${randomUUID().slice(0, 8)}`;
    await this.assignments.upsertBySlug({
      slug,
      position: 900,
      title: 'Grader test',
      handoutMd: '',
      starterCode: '',
      moduleName: 'greeting',
      testCode,
      sampleTestCode: '',
      limits,
      version: randomUUID(),
    });
    return (await this.assignments.findByIdOrSlug(slug))!;
  }

  /** A queued submission by a new user (a user may have only one in flight). */
  async submission(assignment: AssignmentEntity, code: string): Promise<SubmissionEntity> {
    const user = await this.users.create();
    // As given, not deduped: tests reuse the same code across submissions and need each graded.
    return insertSubmissionRow(this.dataSource, {
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
      userId: user.id,
      code,
      codeSha256: createHash('sha256').update(code).digest('hex'),
    });
  }

  /** Resolves with the job's place in the queue, as the API's enqueue does. */
  enqueue(submissionId: string): Promise<number> {
    const job: GradeSubmissionJob = { submissionId };
    return this.producer.emit(GRADE_SUBMISSION, job, submissionId);
  }

  /** Polls the row until it is final; fails after `timeoutMs` with its last state. */
  async waitForFinal(id: string, timeoutMs = 30_000): Promise<SubmissionEntity> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = (await this.submissions.findById(id))!;
      if (isFinalStatus(row.status)) return row;
      if (Date.now() > deadline) {
        throw new Error(
          `submission ${id} still ${row.status} after ${timeoutMs} ms (attempts ${row.attempts})`,
        );
      }
      await sleep(50);
    }
  }

  async waitFor(
    condition: () => Promise<boolean>,
    what: string,
    timeoutMs = 30_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  /**
   * Waits until the queue holds exactly `expected` (an ack lands just after the verdict commit),
   * then returns what it holds, so a caller's assertion reports the actual lengths on a timeout.
   */
  async settledQueue(
    expected: { queued: number; processing: number; dead: number },
    timeoutMs = 10_000,
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lengths = await this.queueLengths();
      const same = (Object.keys(expected) as (keyof typeof expected)[]).every(
        (k) => lengths[k] === expected[k],
      );
      if (same || Date.now() > deadline) return lengths;
      await sleep(25);
    }
  }

  /** Messages in this queue, its processing lists and dead letters, for "nothing left behind" checks. */
  async queueLengths(): Promise<{ queued: number; processing: number; dead: number }> {
    await this.redis.connect().catch(() => undefined);
    const processingKeys = await this.redis.keys(`${this.queue}:processing:*`);
    let processing = 0;
    for (const key of processingKeys) processing += await this.redis.llen(key);
    return {
      queued: await this.redis.llen(this.queue),
      processing,
      dead: await this.redis.llen(`${this.queue}:dead`),
    };
  }
}
