import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ApiConfig } from '../config/api.config';
import { ApiError } from '../http/api-error';
import type { Identity } from '../identity/identity';
import { FakeSubmissionRepository } from '@koodi/db/testing';
import { FakeGradingQueue } from './grading-queue.mock';
import { parseSubmitInput } from './submission-input';
import { SubmissionsService, type SubmitResult } from './submissions.service';

const ASSIGNMENT = { id: randomUUID(), version: 'v1' };
const viewOf = (result: SubmitResult) => result.view;

/** A request's identity as the IdentityGuard hands it over, counting what the service asked of it. */
class FakeIdentity implements Identity {
  addressChecks = 0;
  created: string[] = [];
  constructor(public userId: string | null) {}
  checkAddress(): void {
    this.addressChecks++;
  }
  async ensure(): Promise<string> {
    return this.userId ?? this.renew();
  }
  async renew(): Promise<string> {
    this.userId = randomUUID();
    this.created.push(this.userId);
    return this.userId;
  }
}

describe(SubmissionsService.name, () => {
  let sut: SubmissionsService;
  let repository: FakeSubmissionRepository;
  let queue: FakeGradingQueue;
  let allowed: boolean;
  let assignmentExists: boolean;

  beforeEach(() => {
    assignmentExists = true;
    repository = new FakeSubmissionRepository();
    queue = new FakeGradingQueue();
    allowed = true;
    const config = { rateLimitSubmissionsPerMinute: 10, rateLimitIpPerMinute: 0 } as ApiConfig;
    sut = new SubmissionsService(
      config,
      repository as never,
      {
        find: async () => {
          if (!assignmentExists) throw ApiError.notFound('The assignment');
          return { data: ASSIGNMENT };
        },
      } as never,
      { hit: async () => ({ allowed, retryAfterSeconds: 17 }) } as never,
      queue,
      { publish: async () => 0 } as never,
    );
  });

  const submit = (user: string | Identity, code: string, headers: Record<string, string> = {}) =>
    sut.submit(
      typeof user === 'string' ? new FakeIdentity(user) : user,
      ASSIGNMENT.id,
      parseSubmitInput({ code }, headers['idempotency-key']),
    );

  it('writes the row before queueing its id, and is pending with the place in the queue', async () => {
    const answer = await submit('u1', 'x = 1');
    assert.equal(answer.kind, 'pending');
    const view = viewOf(answer);
    assert.deepEqual(queue.jobs, [view.id]);
    assert.equal(view.queuePosition, 1);
    assert.equal([...repository.rows.values()][0].status, 'queued');
  });

  it('leaves the row queued for the reconciler when the queue is down', async () => {
    queue.failNext = true;
    const answer = await submit('u1', 'x = 1');
    assert.equal(answer.kind, 'pending');
    assert.equal(queue.jobs.length, 0);
    assert.equal([...repository.rows.values()][0].status, 'queued');
  });

  it('copies a final student verdict into a new row at once: final, no job', async () => {
    const first = viewOf(await submit('u1', 'x = 1'));
    await repository.commitVerdict(first.id, {
      verdict: 'tests_failed',
      feedback: { summary: 's', tests: [], output: '', outputTruncated: false },
      gradingMs: 1,
    });
    const answer = await submit('u2', 'x = 1');
    assert.equal(answer.kind, 'final');
    assert.equal(viewOf(answer).verdict, 'tests_failed');
    assert.equal(queue.jobs.length, 1);
  });

  it('joins an identical submission in flight without a job of its own', async () => {
    const first = viewOf(await submit('u1', 'x = 1'));
    const answer = await submit('u2', 'x = 1');
    assert.equal(answer.kind, 'pending');
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
    await assert.rejects(
      submit('u1', 'x = 1'),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 429 &&
        error.headers?.['retry-after'] === '17',
    );
    assert.equal(repository.rows.size, 0);
  });

  it('returns the same submission for a retried request with the same Idempotency-Key', async () => {
    const first = viewOf(await submit('u1', 'x = 1', { 'idempotency-key': 'k1' }));
    const retry = await submit('u1', 'x = 1', { 'idempotency-key': 'k1' });
    assert.equal(viewOf(retry).id, first.id);
    assert.equal(repository.rows.size, 1);
    assert.equal(queue.jobs.length, 1);
  });

  it('refuses invalid code and keys before the service is asked anything', () => {
    assert.throws(
      () => parseSubmitInput({ code: '' }, undefined),
      (error: unknown) => error instanceof ApiError && error.status === 400,
    );
    assert.throws(
      () => parseSubmitInput({ code: 'x'.repeat(64 * 1024 + 1) }, undefined),
      (error: unknown) => error instanceof ApiError && error.status === 413,
    );
    assert.throws(
      () => parseSubmitInput([], undefined),
      (error: unknown) => error instanceof ApiError && error.code === 'invalid_body',
    );
    assert.throws(
      () => parseSubmitInput({ code: 'x' }, 'bad key'),
      (error: unknown) => error instanceof ApiError && error.code === 'invalid_idempotency_key',
    );
    assert.throws(
      () => parseSubmitInput({ code: 'x' }, ['a', 'b']),
      (error: unknown) => error instanceof ApiError && error.code === 'invalid_idempotency_key',
    );
    assert.deepEqual(parseSubmitInput({ code: 'x' }, 'k1'), { code: 'x', idempotencyKey: 'k1' });
    assert.equal(repository.rows.size, 0);
  });

  it('counts the address, then creates the student only for a known assignment', async () => {
    const stranger = new FakeIdentity(null);
    assignmentExists = false;
    await assert.rejects(
      submit(stranger, 'x = 1'),
      (error: unknown) => error instanceof ApiError && error.status === 404,
    );
    assert.equal(stranger.addressChecks, 1);
    assert.deepEqual(stranger.created, [], 'no user for a 404');
    assignmentExists = true;
    const view = viewOf(await submit(stranger, 'x = 1'));
    assert.equal(stranger.created.length, 1);
    assert.equal(repository.rows.get(view.id)?.userId, stranger.created[0]);
  });

  it('reports a retried request whose verdict is in as final', async () => {
    const first = viewOf(await submit('u1', 'x = 1', { 'idempotency-key': 'k1' }));
    await repository.commitVerdict(first.id, {
      verdict: 'passed',
      feedback: { summary: 's', tests: [], output: '', outputTruncated: false },
      gradingMs: 1,
    });
    const retry = await submit('u1', 'x = 1', { 'idempotency-key': 'k1' });
    assert.equal(retry.kind, 'final');
    assert.equal(retry.view.status, 'passed');
  });

  it('hides someone else’s submission behind the same 404 as a missing one', async () => {
    const mine = viewOf(await submit('u1', 'x = 1'));
    await assert.rejects(
      sut.get('u2', mine.id),
      (error: unknown) => error instanceof ApiError && error.status === 404,
    );
    await assert.rejects(
      sut.get('u1', randomUUID()),
      (error: unknown) => error instanceof ApiError && error.status === 404,
    );
    await assert.rejects(
      sut.get(null, mine.id),
      (error: unknown) => error instanceof ApiError && error.status === 404,
    );
    assert.equal((await sut.get('u1', mine.id)).id, mine.id);
  });

  it('gives the owner the submitted code with the view, and only there', async () => {
    const mine = viewOf(await submit('u1', 'x = 1  # mine'));
    const got = await sut.get('u1', mine.id);
    assert.deepEqual(got, { ...mine, code: 'x = 1  # mine' });
    assert.equal('code' in mine, false, 'the POST answer carries no code');
    assert.equal(
      'code' in (await sut.view(repository.rows.get(mine.id)!)),
      false,
      'nor does the view the stream sends',
    );
  });

  it('maps a row to its view without side effects', async () => {
    const mine = viewOf(await submit('u1', 'x = 1'));
    const row = repository.rows.get(mine.id)!;
    const before = structuredClone(row);
    const queued = [...queue.jobs];
    assert.deepEqual(await sut.view(row), mine);
    assert.deepEqual(row, before, 'the row is unchanged');
    assert.deepEqual(queue.jobs, queued, 'nothing is queued');
  });
});
