import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isFinalStatus, MAX_GRADING_ATTEMPTS, type SubmissionView } from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import { insertSubmissionRow } from '@koodi/db/testing';
import { queueKeys, RedisListStore, resolveServerOptions } from '@koodi/queue';
import { GAVE_UP_FEEDBACK } from '@koodi/server';
import {
  createAssignment,
  queuedIds,
  sha256,
  simulateVerdict,
  startTestApi,
  Student,
  type TestApi,
} from '../testing/api-harness';
import { Metrics } from '../ops/metrics.service';
import { Reconciler } from './reconciler.service';

const code = () => `def hello():\n    return "Hello"  # ${randomUUID()}\n`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** docs/SECURITY.md case 21: Redis restarted mid-flow and lost the queue; Postgres still knows what is owed. */
describe('reconciler (case 21)', () => {
  let api: TestApi;
  let sut: Reconciler;

  before(async () => {
    api = await startTestApi({ reconcileAfterSeconds: 1 });
    sut = api.app.get(Reconciler);
  });
  after(() => api.close());

  /** The counter as the ops port's /metrics would show it. */
  async function reconciled(outcome: string): Promise<number> {
    const text = await api.app.get(Metrics).registry.metrics();
    const line = new RegExp(
      `^koodi_api_reconciled_submissions_total\\{outcome="${outcome}"\\} (\\d+)$`,
      'm',
    ).exec(text);
    assert.ok(line, `no koodi_api_reconciled_submissions_total{outcome="${outcome}"} in\n${text}`);
    return Number(line[1]);
  }

  async function submitMany(assignment: AssignmentEntity, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { status, body } = await new Student(api.url).submit(assignment.id, { code: code() });
      assert.equal(status, 202);
      ids.push((body as SubmissionView).id);
    }
    return ids;
  }

  it('re-queues accepted submissions whose jobs were lost; each ends in exactly one final state', async () => {
    const assignment = await createAssignment(api);
    const ids = await submitMany(assignment, 5);
    // One was being graded when Redis went away.
    await api.submissions.claimForGrading(ids[0]);
    await api.redis.del(api.config.gradingQueue);
    await sleep(1_100);

    const before = await reconciled('requeued');
    const report = await sut.runOnce([assignment.id]);
    assert.equal(report.requeued, 5);
    assert.equal((await reconciled('requeued')) - before, 5);
    assert.deepEqual((await queuedIds(api)).sort(), [...ids].sort());

    // Nothing is queued twice while the jobs wait.
    assert.equal((await sut.runOnce([assignment.id])).requeued, 0);

    // A grader takes every job, delivered at least once (the first one twice).
    for (const id of [...(await queuedIds(api)).reverse(), ids[0]]) {
      await simulateVerdict(api, id, 'passed');
    }
    await api.redis.del(api.config.gradingQueue);
    for (const id of ids) {
      const row = (await api.submissions.findById(id))!;
      assert.equal(isFinalStatus(row.status), true);
      assert.equal(row.verdict, 'passed');
    }
    assert.equal((await sut.runOnce([assignment.id])).requeued, 0);
  });

  it('leaves submissions whose jobs are still waiting alone', async () => {
    const assignment = await createAssignment(api);
    const ids = await submitMany(assignment, 2);
    await sleep(1_100);
    assert.equal((await sut.runOnce([assignment.id])).requeued, 0);
    assert.deepEqual((await queuedIds(api)).filter((id) => ids.includes(id)).length, 2);
    for (const id of ids) await simulateVerdict(api, id, 'passed');
  });

  it('leaves a submission alone while a grader holds its job, past the deadline', async () => {
    const assignment = await createAssignment(api);
    await api.redis.del(api.config.gradingQueue);
    const [id] = await submitMany(assignment, 1);
    // The transport's own consumer store takes the job, as a grader that is still working would.
    const grader = new RedisListStore(
      resolveServerOptions({
        redisUrl: api.config.redisUrl,
        queue: api.config.gradingQueue,
        consumerId: `held-${randomUUID()}`,
      }),
    );
    const keys = queueKeys(api.config.gradingQueue);
    try {
      await grader.connect();
      await grader.heartbeat(60_000);
      assert.equal((await grader.take(1)).length, 1);
      await api.submissions.claimForGrading(id!);
      await sleep(1_100);

      assert.equal((await sut.runOnce([assignment.id])).requeued, 0);
      assert.deepEqual(await queuedIds(api), []);
    } finally {
      await grader.close();
      await api.redis.del(keys.processing(grader.consumerId));
      await api.redis.srem(keys.consumers, grader.consumerId);
    }
    await simulateVerdict(api, id!, 'passed');
  });

  it(`ends a submission tried ${MAX_GRADING_ATTEMPTS} times as error, costing the student nothing`, async () => {
    const assignment = await createAssignment(api);
    const [id] = await submitMany(assignment, 1);
    for (let i = 0; i < MAX_GRADING_ATTEMPTS; i++) await api.submissions.claimForGrading(id);
    await api.redis.del(api.config.gradingQueue);
    await sleep(1_100);
    const before = await reconciled('gave_up');
    const report = await sut.runOnce([assignment.id]);
    assert.equal(report.failed, 1);
    assert.equal((await reconciled('gave_up')) - before, 1);
    const row = (await api.submissions.findById(id))!;
    assert.equal(row.status, 'error');
    assert.equal(row.verdict, 'internal_error');
    assert.deepEqual(row.feedback, GAVE_UP_FEEDBACK, "the grader's own give-up text");
    assert.equal((await queuedIds(api)).includes(id), false);
  });

  it('gives a joined submission the verdict of the row it joined when that ended first', async () => {
    const assignment = await createAssignment(api);
    const shared = code();
    const first = (await new Student(api.url).submit(assignment.id, { code: shared }))
      .body as SubmissionView;
    await simulateVerdict(api, first.id, 'passed');
    // A join that committed just after that verdict: nothing will ever grade it.
    const late = await insertSubmissionRow(api.dataSource, {
      assignmentId: assignment.id,
      assignmentVersion: assignment.version,
      userId: (await api.users.create()).id,
      code: shared,
      codeSha256: sha256(shared),
      duplicateOf: first.id,
    });
    await sleep(1_100);
    const report = await sut.runOnce([assignment.id]);
    assert.equal(report.joined, 1);
    assert.equal(report.requeued, 0);
    const row = (await api.submissions.findById(late.id))!;
    assert.equal(row.status, 'passed');
    assert.equal(row.verdict, 'passed');
  });

  it('case 36: a submission that joined one ending memory_limit is queued again, not given that verdict', async () => {
    const assignment = await createAssignment(api);
    const shared = code();
    const first = (await new Student(api.url).submit(assignment.id, { code: shared }))
      .body as SubmissionView;
    const joined = (await new Student(api.url).submit(assignment.id, { code: shared }))
      .body as SubmissionView;
    assert.equal((await api.submissions.findById(joined.id))!.duplicateOf, first.id);
    await api.redis.del(api.config.gradingQueue);

    await simulateVerdict(api, first.id, 'memory_limit');
    const left = (await api.submissions.findById(joined.id))!;
    assert.equal(left.status, 'queued');
    assert.equal(left.duplicateOf, null);
    await sleep(1_100);
    const report = await sut.runOnce([assignment.id]);

    assert.equal(report.requeued, 1);
    assert.deepEqual(await queuedIds(api), [joined.id]);
    await simulateVerdict(api, joined.id, 'passed');
    assert.equal((await api.submissions.findById(joined.id))!.verdict, 'passed');
  });
});
