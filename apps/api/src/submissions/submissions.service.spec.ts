import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { SubmissionView } from '@koodi/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../config/api.config';
import { ApiError } from '../http/api-error';
import type { HttpAnswer } from '../http/http-answer';
import { AddressGuard } from '../identity/address-guard.service';
import { FakeSubmissionRepository } from '@koodi/db/testing';
import { FakeGradingQueue } from './grading-queue.mock';
import { SubmissionsService } from './submissions.service';

const ASSIGNMENT = { id: randomUUID(), version: 'v1' };
const viewOf = (answer: HttpAnswer) => JSON.parse(String(answer.json)) as SubmissionView;

describe(SubmissionsService.name, () => {
  let sut: SubmissionsService;
  let repository: FakeSubmissionRepository;
  let queue: FakeGradingQueue;
  let allowed: boolean;

  beforeEach(() => {
    repository = new FakeSubmissionRepository();
    queue = new FakeGradingQueue();
    allowed = true;
    const config = { rateLimitSubmissionsPerMinute: 10, rateLimitIpPerMinute: 0 } as ApiConfig;
    sut = new SubmissionsService(
      config,
      repository as never,
      { find: async () => ({ data: ASSIGNMENT }) } as never,
      {
        current: (request: { user: string }) => request.user,
        ensure: async (request: { user: string }) => request.user,
        create: async () => randomUUID(),
      } as never,
      new AddressGuard(config),
      { hit: async () => ({ allowed, retryAfterSeconds: 17 }) } as never,
      queue,
      { invalidate: () => undefined } as never,
      { publish: async () => 0 } as never,
    );
  });

  const as = (user: string, headers: Record<string, string> = {}) => ({ user, headers }) as unknown as FastifyRequest;
  const reply = {} as FastifyReply;
  const submit = (user: string, code: string, headers: Record<string, string> = {}) =>
    sut.submit(ASSIGNMENT.id, { code }, as(user, headers), reply);

  it('writes the row before queueing its id, and answers 202 with the place in the queue', async () => {
    const answer = await submit('u1', 'x = 1');
    assert.equal(answer.status, 202);
    const view = viewOf(answer);
    assert.deepEqual(queue.jobs, [view.id]);
    assert.equal(view.queuePosition, 1);
    assert.equal([...repository.rows.values()][0].status, 'queued');
  });

  it('leaves the row queued for the reconciler when the queue is down', async () => {
    queue.failNext = true;
    const answer = await submit('u1', 'x = 1');
    assert.equal(answer.status, 202);
    assert.equal(queue.jobs.length, 0);
    assert.equal([...repository.rows.values()][0].status, 'queued');
  });

  it('copies a final student verdict into a new row at once: 200, no job', async () => {
    const first = viewOf(await submit('u1', 'x = 1'));
    await repository.commitVerdict(first.id, { verdict: 'tests_failed', feedback: { summary: 's', tests: [], output: '', outputTruncated: false }, gradingMs: 1 });
    const answer = await submit('u2', 'x = 1');
    assert.equal(answer.status, 200);
    assert.equal(viewOf(answer).verdict, 'tests_failed');
    assert.equal(queue.jobs.length, 1);
  });

  it('joins an identical submission in flight without a job of its own', async () => {
    const first = viewOf(await submit('u1', 'x = 1'));
    const answer = await submit('u2', 'x = 1');
    assert.equal(answer.status, 202);
    assert.deepEqual(queue.jobs, [first.id]);
    assert.equal(viewOf(answer).queuePosition, 1, 'the place of the job it joined');
  });

  it('answers 409 naming the submission in flight', async () => {
    const first = viewOf(await submit('u1', 'x = 1'));
    await assert.rejects(submit('u1', 'x = 2'), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 409);
      assert.deepEqual(error.details, { submissionId: first.id });
      return true;
    });
  });

  it('answers 429 with Retry-After past the rate limit, storing nothing', async () => {
    allowed = false;
    await assert.rejects(submit('u1', 'x = 1'), (error: unknown) => error instanceof ApiError && error.status === 429 && error.headers?.['retry-after'] === '17');
    assert.equal(repository.rows.size, 0);
  });

  it('returns the same submission for a retried request with the same Idempotency-Key', async () => {
    const first = viewOf(await submit('u1', 'x = 1', { 'idempotency-key': 'k1' }));
    const retry = await submit('u1', 'x = 1', { 'idempotency-key': 'k1' });
    assert.equal(viewOf(retry).id, first.id);
    assert.equal(repository.rows.size, 1);
    assert.equal(queue.jobs.length, 1);
  });

  it('refuses invalid code before touching anything', async () => {
    await assert.rejects(submit('u1', ''), (error: unknown) => error instanceof ApiError && error.status === 400);
    await assert.rejects(submit('u1', 'x'.repeat(64 * 1024 + 1)), (error: unknown) => error instanceof ApiError && error.status === 413);
    assert.equal(repository.rows.size, 0);
  });

  it('hides someone else’s submission behind the same 404 as a missing one', async () => {
    const mine = viewOf(await submit('u1', 'x = 1'));
    await assert.rejects(sut.get(mine.id, as('u2')), (error: unknown) => error instanceof ApiError && error.status === 404);
    await assert.rejects(sut.get(randomUUID(), as('u1')), (error: unknown) => error instanceof ApiError && error.status === 404);
    assert.equal((await sut.get(mine.id, as('u1'))).status, 200);
  });
});
