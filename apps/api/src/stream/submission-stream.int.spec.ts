import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { apiRoutes, SUBMISSION_GRADING, type SubmissionView } from '@koodi/contracts';
import { RedisSubmissionEventsPublisher } from '@koodi/server';
import type { AssignmentEntity } from '@koodi/db';
import {
  createAssignment,
  simulateVerdict,
  startTestApi,
  Student,
  type TestApi,
} from '../testing/api-harness';
import { SseClient } from '../testing/sse-client';
import { SECURITY_HEADERS } from '../http/http-hooks';

const code = () => `def hello():\n    return "Hello"  # ${randomUUID()}\n`;
const views = (client: SseClient) =>
  client.events
    .filter((event) => event.event === 'status')
    .map((event) => JSON.parse(event.data) as SubmissionView);

describe('live status over Server-Sent Events', () => {
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    api = await startTestApi({ sseHeartbeatSeconds: 1 });
    assignment = await createAssignment(api);
  });
  after(() => api.close());

  it('sends the current state with the queue position, then grading, then the verdict, and ends', async () => {
    const student = new Student(api.url);
    const submitted = (await student.submit(assignment.id, { code: code() }))
      .body as SubmissionView;
    const stream = new SseClient(
      api.url + apiRoutes.submissionEvents(submitted.id),
      student.cookieHeader,
    );
    await stream.open();
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    // Nest's own SSE headers: no-store and more, for old proxies too.
    assert.equal(
      stream.headers['cache-control'],
      'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    );
    // The same security headers as every other answer, each exactly once (Node joins repeats).
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      assert.equal(stream.headers[name], value, name);
    assert.match(String(stream.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    await stream.until(() => views(stream).length >= 1);
    assert.equal(views(stream)[0].status, 'queued');
    assert.equal(views(stream)[0].queuePosition, 1);

    await api.submissions.claimForGrading(submitted.id);
    await new RedisSubmissionEventsPublisher(api.redis).publish({
      event: SUBMISSION_GRADING,
      submissionId: submitted.id,
      userId: 'x',
      status: 'grading',
    });
    await stream.until(() => views(stream).some((view) => view.status === 'grading'));

    await simulateVerdict(api, submitted.id, 'passed');
    await stream.ended;
    const last = views(stream).at(-1)!;
    assert.equal(last.status, 'passed');
    assert.equal(last.verdict, 'passed');
    assert.equal(last.tests[0].name, 'test_hello');
  });

  it('sends a verdict committed before the stream opened, at once, and ends', async () => {
    const student = new Student(api.url);
    const submitted = (await student.submit(assignment.id, { code: code() }))
      .body as SubmissionView;
    await simulateVerdict(api, submitted.id, 'tests_failed');
    const stream = new SseClient(
      api.url + apiRoutes.submissionEvents(submitted.id),
      student.cookieHeader,
    );
    await stream.ended;
    assert.deepEqual(
      views(stream).map((view) => view.status),
      ['failed'],
    );
  });

  it('delivers the verdict to a student who joined an identical submission', async () => {
    const shared = code();
    const first = (await new Student(api.url).submit(assignment.id, { code: shared }))
      .body as SubmissionView;
    const joiner = new Student(api.url);
    const joined = (await joiner.submit(assignment.id, { code: shared })).body as SubmissionView;
    const stream = new SseClient(
      api.url + apiRoutes.submissionEvents(joined.id),
      joiner.cookieHeader,
    );
    await stream.until(() => views(stream).length >= 1);
    await simulateVerdict(api, first.id, 'passed');
    await stream.ended;
    assert.equal(views(stream).at(-1)!.status, 'passed');
  });

  it('keeps an idle stream alive with heartbeat comments', async () => {
    const student = new Student(api.url);
    const submitted = (await student.submit(assignment.id, { code: code() }))
      .body as SubmissionView;
    const stream = new SseClient(
      api.url + apiRoutes.submissionEvents(submitted.id),
      student.cookieHeader,
    );
    await stream.until(() => stream.comments.includes('heartbeat'));
    stream.close();
    await simulateVerdict(api, submitted.id, 'passed');
  });

  it('picks up a verdict whose event was lost, on the next re-read', async () => {
    const student = new Student(api.url);
    const submitted = (await student.submit(assignment.id, { code: code() }))
      .body as SubmissionView;
    const stream = new SseClient(
      api.url + apiRoutes.submissionEvents(submitted.id),
      student.cookieHeader,
    );
    await stream.until(() => views(stream).length >= 1);
    await api.submissions.commitVerdict(submitted.id, {
      verdict: 'passed',
      feedback: { summary: 'ok', tests: [], output: '', outputTruncated: false },
      gradingMs: 1,
    });
    await stream.ended;
    assert.equal(views(stream).at(-1)!.status, 'passed');
  });
});
