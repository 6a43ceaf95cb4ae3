import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  apiRoutes,
  type AssignmentDetail,
  purgeAssignmentCache,
  type SubmissionView,
} from '@koodi/contracts';
import {
  createAssignment,
  eventually,
  queuedIds,
  simulateVerdict,
  startTestApi,
  Student,
  type TestApi,
} from './testing/api-harness';
import { SseClient } from './testing/sse-client';

/** Two replicas sharing Postgres and Redis, as behind NGINX (docs/SECURITY.md case 24 where it concerns the API). */
describe('two API replicas', () => {
  let first: TestApi;
  let second: TestApi;

  before(async () => {
    first = await startTestApi();
    second = await startTestApi({ gradingQueue: first.config.gradingQueue });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it('returns the same submission when a POST retried with its Idempotency-Key lands on another replica', async () => {
    const assignment = await createAssignment(first);
    const student = new Student(first.url);
    await student.me();
    const key = randomUUID();
    const body = JSON.stringify({ code: `x = "${randomUUID()}"` });
    const headers = { 'content-type': 'application/json', 'idempotency-key': key };
    const one = await student.json<SubmissionView>(apiRoutes.submissions(assignment.id), {
      method: 'POST',
      headers,
      body,
    });
    const retried = await fetch(second.url + apiRoutes.submissions(assignment.id), {
      method: 'POST',
      headers: { ...headers, cookie: student.cookieHeader! },
      body,
    });
    const two = (await retried.json()) as SubmissionView;
    assert.equal(two.id, one.body.id);
    assert.equal((await queuedIds(first)).filter((id) => id === one.body.id).length, 1);
  });

  it('delivers a verdict to a stream held by another replica than the one that took the POST', async () => {
    const assignment = await createAssignment(first);
    const student = new Student(first.url);
    const submitted = (await student.submit(assignment.id, { code: `x = "${randomUUID()}"` }))
      .body as SubmissionView;
    const stream = new SseClient(
      second.url + apiRoutes.submissionEvents(submitted.id),
      student.cookieHeader,
    );
    await stream.until(() => stream.events.length >= 1);
    await simulateVerdict(first, submitted.id, 'passed');
    await stream.ended;
    assert.equal((JSON.parse(stream.events.at(-1)!.data) as SubmissionView).status, 'passed');
  });

  it('drops the in-process cache of every replica on a purge', async () => {
    const assignment = await createAssignment(first, { title: 'Old title' });
    const title = async (api: TestApi) =>
      (
        (await (
          await fetch(api.url + apiRoutes.assignment(assignment.slug))
        ).json()) as AssignmentDetail
      ).title;
    assert.equal(await title(first), 'Old title');
    assert.equal(await title(second), 'Old title');
    await first.assignments.upsertBySlug({
      slug: assignment.slug,
      position: assignment.position,
      title: 'New title',
      handoutMd: assignment.handoutMd,
      starterCode: assignment.starterCode,
      moduleName: assignment.moduleName,
      testCode: 't',
      sampleTestCode: '',
      limits: {},
      version: `${assignment.version}-2`,
    });
    await purgeAssignmentCache(first.redis);
    for (const api of [first, second]) {
      assert.equal(
        await eventually(async () => ((await title(api)) === 'New title' ? true : undefined)),
        true,
      );
    }
  });
});
