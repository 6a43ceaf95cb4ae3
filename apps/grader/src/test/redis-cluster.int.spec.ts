import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LocalRedisCluster } from '@koodi/queue/testing';
import { Cluster } from 'ioredis';
import { createGrader, type Grader } from '../app/grader.app';
import { loadGraderConfig } from '../app/config/grader.config';
import { GradingFixtures, PASSING, testConfig } from './grading.fixtures';

/** One grader on a local three-primary Redis Cluster, grading in the real sandbox. */
describe('grader on a Redis Cluster', () => {
  const queue = `{grading-test-${randomUUID().slice(0, 8)}}:queue`;
  let cluster: LocalRedisCluster;
  let fixtures: GradingFixtures;
  let grader: Grader | undefined;

  before(async () => {
    cluster = await LocalRedisCluster.start(3);
    fixtures = await GradingFixtures.open(queue, cluster.url);
  });

  after(async () => {
    await grader?.app.close();
    await fixtures?.close();
    await cluster?.destroy();
  });

  it('refuses a cluster URL with an untagged queue in its configuration', () => {
    assert.throws(
      () =>
        loadGraderConfig({
          DATABASE_URL: 'postgres://u:p@h:5432/d',
          REDIS_URL: cluster.url,
          GRADING_QUEUE: 'grading:queue',
        }),
      /GRADING_QUEUE: queue "grading:queue" needs a hash tag/,
    );
  });

  it('takes a job from the hash-tagged list and commits its verdict', async () => {
    grader = await createGrader(testConfig(queue, { redisUrl: cluster.url }));
    await grader.app.listen();
    const assignment = await fixtures.assignment();
    const submission = await fixtures.submission(assignment, PASSING);

    await fixtures.enqueue(submission.id);

    const row = await fixtures.waitForFinal(submission.id);
    assert.equal(row.status, 'passed');
    await grader.app.close();
    grader = undefined;
  });

  it('refuses to start while a primary may evict keys (allkeys-lru)', async () => {
    const probe = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    try {
      await probe.ping();
      const primary = probe.nodes('master')[0];
      await primary.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const refused = await createGrader(testConfig(queue, { redisUrl: cluster.url }));
      await assert.rejects(
        refused.app.listen(),
        /maxmemory-policy is allkeys-lru.*Refusing to start/,
      );
      await refused.app.close().catch(() => undefined);
      await primary.config('SET', 'maxmemory-policy', 'noeviction');
    } finally {
      probe.disconnect();
    }
  });
});
