import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { apiRoutes, type SubmissionView } from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import { LocalRedisCluster } from '@koodi/queue/testing';
import { Cluster } from 'ioredis';
import {
  createAssignment,
  queuedIds,
  simulateVerdict,
  startTestApi,
  Student,
  type TestApi,
} from './testing/api-harness';
import { SseClient } from './testing/sse-client';

const uniqueCode = () => `def hello():\n    return "Hello"  # ${randomUUID()}\n`;

/** The API on a local three-primary Redis Cluster: queue, rate limiter, cache and events. */
describe('API on a Redis Cluster', () => {
  let cluster: LocalRedisCluster;
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    cluster = await LocalRedisCluster.start(3);
    api = await startTestApi({ rateLimitSubmissionsPerMinute: 2 }, { REDIS_URL: cluster.url });
    assignment = await createAssignment(api);
  });

  after(async () => {
    await api?.close();
    await cluster?.destroy();
  });

  it('talks to the cluster, not to a single server', () => {
    assert.ok(api.redis instanceof Cluster);
    assert.match(api.config.redisUrl, /^redis\+cluster:\/\//);
  });

  it('queues a submission on the hash-tagged list and answers its place', async () => {
    const student = new Student(api.url);
    const { status, body } = await student.submit(assignment.id, { code: uniqueCode() });
    assert.equal(status, 202);
    const view = body as SubmissionView;
    assert.ok((await queuedIds(api)).includes(view.id));
    assert.equal(view.queuePosition, (await queuedIds(api)).indexOf(view.id) + 1);
  });

  it('rate-limits one student across the cluster: 429 after the limit', async () => {
    const student = new Student(api.url);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { status, body } = await student.submit(assignment.id, { code: uniqueCode() });
      statuses.push(status);
      if (status === 202) await simulateVerdict(api, (body as SubmissionView).id, 'passed');
    }
    assert.deepEqual(statuses, [202, 202, 429]);
  });

  it('streams the verdict to the student through cluster pub/sub', async () => {
    const student = new Student(api.url);
    const submitted = (await student.submit(assignment.id, { code: uniqueCode() }))
      .body as SubmissionView;
    const stream = new SseClient(
      api.url + apiRoutes.submissionEvents(submitted.id),
      student.cookieHeader,
    );
    try {
      await stream.open();
      await stream.until(() => stream.events.some((event) => event.event === 'status'));
      await simulateVerdict(api, submitted.id, 'passed');
      await stream.ended;
      const last = JSON.parse(
        stream.events.filter((event) => event.event === 'status').at(-1)!.data,
      ) as SubmissionView;
      assert.equal(last.status, 'passed');
    } finally {
      stream.close();
    }
  });

  it('refuses to start while a primary may evict keys (allkeys-lru), naming the fix', async () => {
    const primaries = (api.redis as Cluster).nodes('master');
    await primaries[2].config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      await assert.rejects(
        startTestApi({}, { REDIS_URL: cluster.url }),
        /maxmemory-policy is allkeys-lru.*maxmemory-policy noeviction/,
      );
    } finally {
      await primaries[2].config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
