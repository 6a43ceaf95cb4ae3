import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { apiRoutes, type SubmissionView } from '@koodi/contracts';
import { freePort } from '@koodi/queue/testing';
import { Redis } from 'ioredis';
import {
  createAssignment,
  eventually,
  startTestApi,
  Student,
  type TestApi,
} from '../testing/api-harness';
import { Reconciler } from './reconciler.service';

/** A Redis of this test's own, without persistence: a restart loses everything, as in docs/SECURITY.md case 21. */
function startRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
}

async function redisUp(url: string): Promise<void> {
  await eventually(async () => {
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      probe.disconnect();
    }
  }, 10_000);
}

describe('a real Redis restart mid-flow (case 21)', () => {
  let port: number;
  let redisUrl: string;
  let redis: ChildProcess;
  let api: TestApi;

  before(async () => {
    port = await freePort();
    redisUrl = `redis://127.0.0.1:${port}`;
    redis = startRedis(port);
    await redisUp(redisUrl);
    api = await startTestApi({ redisUrl, reconcileAfterSeconds: 1 });
  });
  after(async () => {
    await api.close().catch(() => undefined);
    redis.kill('SIGKILL');
  });

  it('accepts submissions while Redis is down and queues them once it is back', async () => {
    const assignment = await createAssignment(api);
    const queuedBefore = (
      await new Student(api.url).submit(assignment.id, { code: `x = "${randomUUID()}"` })
    ).body as SubmissionView;

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));

    const student = new Student(api.url);
    const during = await student.submit(assignment.id, { code: `x = "${randomUUID()}"` });
    assert.equal(during.status, 202, JSON.stringify(during.body));
    const acceptedDuring = during.body as SubmissionView;
    assert.equal(
      (await api.submissions.findById(acceptedDuring.id))!.status,
      'queued',
      'written to Postgres',
    );
    assert.equal(
      (await student.json(apiRoutes.submission(acceptedDuring.id))).status,
      200,
      'polling still works',
    );

    redis = startRedis(port);
    await redisUp(redisUrl);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const report = await eventually(async () => {
      try {
        return await api.app.get(Reconciler).runOnce([assignment.id]);
      } catch {
        return undefined;
      }
    }, 10_000);
    assert.equal(report.requeued, 2, 'the job lost with the restart and the one never pushed');

    const probe = new Redis(redisUrl);
    const ids = (await probe.lrange(api.config.gradingQueue, 0, -1)).map(
      (raw) => (JSON.parse(raw) as { id: string }).id,
    );
    probe.disconnect();
    assert.deepEqual(ids.sort(), [queuedBefore.id, acceptedDuring.id].sort());
  });
});
