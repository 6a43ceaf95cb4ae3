import { createHash, randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Feedback, Verdict } from '@koodi/contracts';
import { apiRoutes, purgeAssignmentCache, SUBMISSION_GRADED } from '@koodi/contracts';
import {
  AssignmentRepository,
  type AssignmentContent,
  type AssignmentEntity,
  SubmissionRepository,
  UserRepository,
} from '@koodi/db';
import { createRedis, JsonQueueSerializer, type RedisClient } from '@koodi/queue';
import { RedisSubmissionEventsPublisher } from '@koodi/server';
import type { DataSource } from 'typeorm';
import { createApiApp } from '../app.factory';
import { type ApiConfig, loadApiConfig } from '../config/api.config';
import { DATA_SOURCE } from '../infra/infra.providers';

/** Test environment: real Postgres and Redis from DATABASE_URL / REDIS_URL, a queue of our own. */
export function testConfig(
  overrides: Partial<ApiConfig> = {},
  env: NodeJS.ProcessEnv = {},
): ApiConfig {
  return {
    ...loadApiConfig({
      DATABASE_URL: process.env['DATABASE_URL'],
      REDIS_URL: process.env['REDIS_URL'],
      API_PORT: '0',
      OPS_PORT: '0',
      // Hash-tagged like the real queue, so the same harness runs on a Redis Cluster.
      GRADING_QUEUE: `{test-api-${randomUUID().slice(0, 8)}}:queue`,
      RUN_QUEUE: `{test-run-${randomUUID().slice(0, 8)}}:queue`,
      RECONCILE_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'silent',
      DATABASE_POOL_SIZE: '4',
      ...env,
    }),
    ...overrides,
  };
}

export interface TestApi {
  app: NestFastifyApplication;
  url: string;
  config: ApiConfig;
  redis: RedisClient;
  assignments: AssignmentRepository;
  submissions: SubmissionRepository;
  users: UserRepository;
  /** For test fixtures that write rows directly (@koodi/db/testing). */
  dataSource: DataSource;
  close(): Promise<void>;
}

/** Boots the whole API in this process on a random port. */
export async function startTestApi(
  overrides: Partial<ApiConfig> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<TestApi> {
  const config = testConfig(overrides, env);
  const app = await createApiApp(config);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    // A start-up check refused (e.g. Redis's eviction policy): release what was opened.
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dataSource = app.get<DataSource>(DATA_SOURCE);
  const redis = createRedis(config.redisUrl, { lazyConnect: false });
  redis.on('error', () => undefined);
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    redis,
    assignments: new AssignmentRepository(dataSource),
    submissions: new SubmissionRepository(dataSource),
    users: new UserRepository(dataSource),
    dataSource,
    async close() {
      await app.close();
      const queue = config.gradingQueue;
      await redis.del(
        queue,
        `${queue}:dead`,
        `${queue}:attempts`,
        `${queue}:consumers`,
        `${queue}:reconciler:lock`,
      );
      const runs = config.runQueue;
      await redis.del(runs, `${runs}:dead`, `${runs}:attempts`, `${runs}:consumers`);
      await redis.quit();
    },
  };
}

export function assignmentContent(overrides: Partial<AssignmentContent> = {}): AssignmentContent {
  const suffix = randomUUID().slice(0, 8);
  return {
    slug: `api-test-${suffix}`,
    position: 9000 + Math.floor(Math.random() * 1000),
    title: `API test ${suffix}`,
    handoutMd: '# Say hello\n\nWrite `hello()`.',
    starterCode: 'def hello():\n    pass\n',
    moduleName: 'solution',
    testCode: 'HIDDEN TESTS assert hello() == "Hello"',
    sampleTestCode: 'def test_sample():\n    assert True\n',
    limits: {},
    version: `v-${suffix}`,
    ...overrides,
  };
}

export async function createAssignment(
  api: TestApi,
  overrides: Partial<AssignmentContent> = {},
): Promise<AssignmentEntity> {
  const content = assignmentContent(overrides);
  await api.assignments.upsertBySlug(content);
  const assignment = (await api.assignments.findByIdOrSlug(content.slug))!;
  // As content sync does: purge, then wait until this replica's in-process copy is gone too.
  await purgeAssignmentCache(api.redis);
  await eventually(async () => {
    const list = (await (await fetch(`${api.url}/api/assignments`)).json()) as Array<{
      id: string;
    }>;
    return list.some((item) => item.id === assignment.id) ? true : undefined;
  });
  return assignment;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function feedbackOf(verdict: Verdict): Feedback {
  return {
    summary: verdict === 'passed' ? 'All 1 tests passed.' : '1 of 1 tests failed.',
    tests: [
      { name: 'test_hello', outcome: verdict === 'passed' ? 'passed' : 'failed', message: '' },
    ],
    output: '',
    outputTruncated: false,
  };
}

/** What the grader does after grading: commit, then announce every changed row. */
export async function simulateVerdict(
  api: TestApi,
  submissionId: string,
  verdict: Verdict,
): Promise<void> {
  await api.submissions.claimForGrading(submissionId);
  const changed = await api.submissions.commitVerdict(submissionId, {
    verdict,
    feedback: feedbackOf(verdict),
    gradingMs: 4,
  });
  await new RedisSubmissionEventsPublisher(api.redis).publishChanged(changed, SUBMISSION_GRADED);
}

/** Submission ids currently waiting in this API's queue. */
export async function queuedIds(api: TestApi): Promise<string[]> {
  const raws = await api.redis.lrange(api.config.gradingQueue, 0, -1);
  const serializer = new JsonQueueSerializer();
  return raws.map((raw) => serializer.deserialize(raw).id);
}

/** A student with a cookie jar, talking real HTTP. */
export class Student {
  private cookie: string | null = null;

  constructor(private readonly baseUrl: string) {}

  get cookieHeader(): string | null {
    return this.cookie;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    const response = await fetch(this.baseUrl + path, { ...init, headers });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return response;
  }

  async json<T = unknown>(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: T; response: Response }> {
    const response = await this.request(path, init);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, response };
  }

  submit(assignmentId: string, body: unknown, headers: Record<string, string> = {}) {
    return this.json(`/api/assignments/${assignmentId}/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  run(assignmentId: string, body: unknown) {
    return this.json(apiRoutes.runs(assignmentId), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  hints(assignmentId: string) {
    return this.json(apiRoutes.hints(assignmentId));
  }

  revealHint(assignmentId: string, body: unknown = {}) {
    return this.json(apiRoutes.hints(assignmentId), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async me(): Promise<{ userId: string; points: number; solved: string[]; next: string | null }> {
    return (
      await this.json<{ userId: string; points: number; solved: string[]; next: string | null }>(
        '/api/me',
      )
    ).body;
  }
}

/** Polls until `check` returns a value (not undefined), for at most `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
