import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  apiRoutes,
  type MeResponse,
  type SubmissionHistoryItem,
  type SubmissionView,
} from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import {
  createAssignment,
  queuedIds,
  simulateVerdict,
  startTestApi,
  Student,
  type TestApi,
} from '../testing/api-harness';

type ErrorBody = { error: { code: string; message: string; details?: { submissionId?: string } } };
const uniqueCode = () => `def hello():\n    return "Hello"  # ${randomUUID()}\n`;

describe('submissions over HTTP', () => {
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    api = await startTestApi({ rateLimitSubmissionsPerMinute: 5 });
    assignment = await createAssignment(api);
  });
  after(() => api.close());

  it('writes the row, then queues its id: 202 with the place in the queue', async () => {
    const student = new Student(api.url);
    const { status, body, response } = await student.submit(assignment.id, { code: uniqueCode() });
    assert.equal(status, 202);
    assert.equal(response.headers.get('cache-control'), 'private, no-store');
    const view = body as SubmissionView;
    assert.equal(view.status, 'queued');
    assert.equal(view.assignmentId, assignment.id);
    assert.ok((await queuedIds(api)).includes(view.id));
    assert.equal(typeof view.queuePosition, 'number');
    assert.equal((await api.submissions.findById(view.id))!.status, 'queued');

    const polled = await student.json<SubmissionView & { code: string }>(
      apiRoutes.submission(view.id),
    );
    assert.equal(polled.status, 200);
    assert.equal(polled.body.status, 'queued');
    assert.equal(
      polled.body.code,
      (await api.submissions.findById(view.id))!.code,
      'the owner gets the code back',
    );
    assert.equal('code' in view, false, 'the POST answer carries no code');
    assert.equal(polled.body.queuePosition, (await queuedIds(api)).reverse().indexOf(view.id) + 1);
  });

  it('accepts the slug in place of the id', async () => {
    const { status } = await new Student(api.url).submit(assignment.slug, { code: uniqueCode() });
    assert.equal(status, 202);
  });

  it('answers 404 for an unknown assignment and stores nothing', async () => {
    const student = new Student(api.url);
    const { status, body } = await student.submit('no-such-assignment', { code: uniqueCode() });
    assert.equal(status, 404);
    assert.equal((body as ErrorBody).error.code, 'not_found');
  });

  it('allows one submission in flight: 409 names it', async () => {
    const student = new Student(api.url);
    const first = (await student.submit(assignment.id, { code: uniqueCode() }))
      .body as SubmissionView;
    const { status, body } = await student.submit(assignment.id, { code: uniqueCode() });
    assert.equal(status, 409);
    assert.equal((body as ErrorBody).error.code, 'submission_in_flight');
    assert.equal((body as ErrorBody).error.details?.submissionId, first.id);

    await simulateVerdict(api, first.id, 'tests_failed');
    assert.equal((await student.submit(assignment.id, { code: uniqueCode() })).status, 202);
  });

  it('shows a submission only to its owner: 404 for anyone else, and without a cookie', async () => {
    const owner = new Student(api.url);
    const view = (await owner.submit(assignment.id, { code: uniqueCode() })).body as SubmissionView;
    const stranger = new Student(api.url);
    await stranger.me();
    for (const path of [apiRoutes.submission(view.id), apiRoutes.submissionEvents(view.id)]) {
      const theirs = await stranger.request(path);
      assert.equal(theirs.status, 404);
      const text = await theirs.text();
      assert.doesNotMatch(text, /def hello/);
      assert.equal((JSON.parse(text) as ErrorBody).error.code, 'not_found');
      assert.equal((await fetch(api.url + path)).status, 404);
    }
    assert.equal((await owner.request(apiRoutes.submission('not-a-uuid'))).status, 404);
    assert.equal((await owner.request(apiRoutes.submission(randomUUID()))).status, 404);
  });

  it('reuses a final verdict for the same code from another student: 200 at once, no new job', async () => {
    const code = uniqueCode();
    const first = (await new Student(api.url).submit(assignment.id, { code }))
      .body as SubmissionView;
    await simulateVerdict(api, first.id, 'passed');
    const before = await api.redis.llen(api.config.gradingQueue);

    const other = new Student(api.url);
    const { status, body } = await other.submit(assignment.id, { code });
    assert.equal(status, 200);
    const copy = body as SubmissionView;
    assert.notEqual(copy.id, first.id);
    assert.equal(copy.status, 'passed');
    assert.equal(copy.verdict, 'passed');
    assert.deepEqual(copy.tests, [{ name: 'test_hello', outcome: 'passed', message: '' }]);
    assert.equal(await api.redis.llen(api.config.gradingQueue), before);
    assert.equal((await other.me()).points >= 100, true);
    const me = (await other.json<MeResponse>(apiRoutes.me())).body;
    assert.ok(me.solved.includes(assignment.id));
    assert.ok(assignment.id in me.nextAfter, 'every assignment of the course has an entry');
  });

  it('joins an identical submission in flight: no job of its own, the same verdict', async () => {
    const code = uniqueCode();
    const first = (await new Student(api.url).submit(assignment.id, { code }))
      .body as SubmissionView;
    const jobs = await queuedIds(api);

    const other = new Student(api.url);
    const { status, body } = await other.submit(assignment.id, { code });
    assert.equal(status, 202);
    const joined = body as SubmissionView;
    assert.equal(joined.status, 'queued');
    assert.deepEqual(await queuedIds(api), jobs);
    assert.equal((await api.submissions.findById(joined.id))!.duplicateOf, first.id);

    await simulateVerdict(api, first.id, 'tests_failed');
    const after = await other.json<SubmissionView>(apiRoutes.submission(joined.id));
    assert.equal(after.body.status, 'failed');
    assert.equal(after.body.verdict, 'tests_failed');
    // The student-facing words come with the view, worded by the API.
    assert.equal(joined.title, 'Waiting to be graded');
    assert.equal(after.body.title, 'Not yet — some tests failed');
    assert.equal(after.body.detail, after.body.summary);
    const history = await other.json<SubmissionHistoryItem[]>(apiRoutes.submissions(assignment.id));
    assert.equal(history.body.find((item) => item.id === joined.id)?.label, 'Some tests failed');
  });

  it('never reuses an infrastructure error: identical code is graded again', async () => {
    const code = uniqueCode();
    const first = (await new Student(api.url).submit(assignment.id, { code }))
      .body as SubmissionView;
    await simulateVerdict(api, first.id, 'internal_error');
    const { status, body } = await new Student(api.url).submit(assignment.id, { code });
    assert.equal(status, 202);
    assert.ok((await queuedIds(api)).includes((body as SubmissionView).id));
  });

  it('returns the same submission for a retried POST with the same Idempotency-Key', async () => {
    const student = new Student(api.url);
    await student.me();
    const key = randomUUID();
    const code = uniqueCode();
    const first = await student.submit(assignment.id, { code }, { 'idempotency-key': key });
    const retry = await student.submit(assignment.id, { code }, { 'idempotency-key': key });
    assert.equal(first.status, 202);
    assert.equal(retry.status, 202);
    assert.equal((retry.body as SubmissionView).id, (first.body as SubmissionView).id);
    assert.equal(
      (await queuedIds(api)).filter((id) => id === (first.body as SubmissionView).id).length,
      1,
    );

    await simulateVerdict(api, (first.body as SubmissionView).id, 'passed');
    const later = await student.submit(assignment.id, { code }, { 'idempotency-key': key });
    assert.equal(later.status, 200);
    assert.equal((later.body as SubmissionView).id, (first.body as SubmissionView).id);
    const history = await student.json<SubmissionHistoryItem[]>(
      apiRoutes.submissions(assignment.id),
    );
    assert.equal(history.body.length, 1);
  });

  it('lists the caller’s own history, newest first, and nobody else’s', async () => {
    const student = new Student(api.url);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const view = (await student.submit(assignment.id, { code: uniqueCode() }))
        .body as SubmissionView;
      await simulateVerdict(api, view.id, 'tests_failed');
      ids.push(view.id);
    }
    const { status, body, response } = await student.json<SubmissionHistoryItem[]>(
      apiRoutes.submissions(assignment.id),
    );
    assert.equal(status, 200);
    assert.equal(response.headers.get('cache-control'), 'private, no-store');
    assert.deepEqual(
      body.map((item) => item.id),
      ids.reverse(),
    );
    assert.equal(body[0].verdict, 'tests_failed');
    const stranger = await new Student(api.url).json<SubmissionHistoryItem[]>(
      apiRoutes.submissions(assignment.id),
    );
    assert.deepEqual(stranger.body, []);
  });

  it('rate-limits one student: 429 with Retry-After, other students unaffected (case 26)', async () => {
    const student = new Student(api.url);
    const statuses: number[] = [];
    let limited: { response: Response; body: unknown } | undefined;
    for (let i = 0; i < 7; i++) {
      const { status, response, body } = await student.submit(assignment.id, {
        code: uniqueCode(),
      });
      statuses.push(status);
      if (status === 429) limited = { response, body };
    }
    assert.deepEqual(statuses, [202, 409, 409, 409, 409, 429, 429]);
    const retryAfter = Number(limited!.response.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    assert.equal((limited!.body as ErrorBody).error.code, 'rate_limited');
    assert.equal(
      (await new Student(api.url).submit(assignment.id, { code: uniqueCode() })).status,
      202,
    );
  });
});
