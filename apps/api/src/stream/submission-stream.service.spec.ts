import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageEvent } from '@nestjs/common';
import type { SubmissionEvent, SubmissionView } from '@koodi/contracts';
import { FakeSubmissionRepository } from '@koodi/db/testing';
import type { Observable } from 'rxjs';
import type { ApiConfig } from '../config/api.config';
import { SubmissionEvents } from '../events/submission-events.service';
import { ApiError } from '../http/api-error';
import type { RedisSubscriber } from '../infra/redis-subscriber.service';
import { FakeGradingQueue } from '../submissions/grading-queue.mock';
import { SubmissionsService } from '../submissions/submissions.service';
import { SubmissionStreams } from './submission-stream.service';

const PASSED = {
  verdict: 'passed' as const,
  feedback: { summary: 'ok', tests: [], output: '', outputTruncated: false },
  gradingMs: 1,
};

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Subscribes as Nest does, recording what the client would receive. */
function record<T>(stream: Observable<T>) {
  const seen: T[] = [];
  const ended = new Promise<void>((resolve, reject) =>
    stream.subscribe({ next: (item) => seen.push(item), complete: resolve, error: reject }),
  );
  return { seen, ended };
}

const statusesOf = (events: MessageEvent[]) =>
  events
    .filter((event) => event.type === 'status')
    .map((event) => (event.data as SubmissionView).status);

describe(SubmissionStreams.name, () => {
  let repository: FakeSubmissionRepository;
  let queue: FakeGradingQueue;
  let events: SubmissionEvents;
  let reads: { owned: number; byId: number };
  let sut: SubmissionStreams;

  beforeEach(() => {
    repository = new FakeSubmissionRepository();
    reads = { owned: 0, byId: 0 };
    const findOwned = repository.findOwned.bind(repository);
    const findById = repository.findById.bind(repository);
    repository.findOwned = (id, userId) => (reads.owned++, findOwned(id, userId));
    repository.findById = (id) => (reads.byId++, findById(id));
    queue = new FakeGradingQueue();
    events = new SubmissionEvents({} as RedisSubscriber);
    const config = { sseHeartbeatSeconds: 60 } as ApiConfig;
    const submissions = new SubmissionsService(
      config,
      repository as never,
      {} as never,
      {} as never,
      queue,
      {} as never,
    );
    sut = new SubmissionStreams(config, submissions, repository as never, events);
  });

  const publish = (submissionId: string, status: SubmissionEvent['status']) =>
    events.dispatch(
      JSON.stringify({
        event: 'submission.graded',
        submissionId,
        userId: 'u1',
        status,
      } satisfies SubmissionEvent),
    );

  it('reads the row once to open, re-reads once when listening, and completes with the verdict', async () => {
    const row = repository.add({ userId: 'u1' });
    queue.jobs.push(row.id);
    const { seen, ended } = record(await sut.open('u1', row.id));
    await until(() => reads.byId === 1);
    assert.equal(reads.owned, 1, 'ownership and the first view from one read');
    assert.equal(events.listenerCount, 1);

    await repository.commitVerdict(row.id, PASSED);
    publish(row.id, 'passed');
    await ended;
    assert.deepEqual(statusesOf(seen), ['queued', 'passed']);
    assert.equal(seen[0].retry, 2000, 'the first event tells EventSource when to reconnect');
    assert.equal((seen[0].data as SubmissionView).queuePosition, 1);
    assert.equal(events.listenerCount, 0, 'the listener goes with the stream');
  });

  it('sends a verdict committed before it opened, and nothing else', async () => {
    const row = repository.add({ userId: 'u1' });
    await repository.commitVerdict(row.id, PASSED);
    const { seen, ended } = record(await sut.open('u1', row.id));
    await ended;
    assert.deepEqual(statusesOf(seen), ['passed']);
    assert.equal(reads.byId, 0);
  });

  it('refreshes the place in the queue only while queued, sending only what changed', async () => {
    const row = repository.add({ userId: 'u1' });
    queue.jobs.push('someone-else', row.id);
    const { seen, ended } = record(sut.views(row, 20));
    await until(() => seen.length === 1);
    assert.equal(seen[0].queuePosition, 2);
    const before = reads.byId;
    await until(() => reads.byId >= before + 3);
    assert.equal(seen.length, 1, 'an unchanged view is not sent again');

    queue.jobs.shift();
    await until(() => seen.length === 2);
    assert.equal(seen[1].queuePosition, 1);

    await repository.claimForGrading(row.id);
    queue.jobs.shift();
    publish(row.id, 'grading');
    await until(() => seen.length === 3);
    assert.equal(seen[2].status, 'grading');
    const whileGrading = reads.byId;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(reads.byId, whileGrading, 'no refresh while grading');

    await repository.commitVerdict(row.id, PASSED);
    publish(row.id, 'passed');
    await ended;
    assert.deepEqual(
      seen.map((view) => view.status),
      ['queued', 'queued', 'grading', 'passed'],
    );
  });

  it('keeps an idle stream alive with heartbeat comments', async () => {
    const config = { sseHeartbeatSeconds: 0.02 } as ApiConfig;
    const submissions = new SubmissionsService(
      config,
      repository as never,
      {} as never,
      {} as never,
      queue,
      {} as never,
    );
    const streams = new SubmissionStreams(config, submissions, repository as never, events);
    const row = repository.add({ userId: 'u1' });
    const { seen, ended } = record(await streams.open('u1', row.id));
    await until(() => seen.filter((event) => event.comment === 'heartbeat').length >= 2);
    assert.equal(statusesOf(seen).length, 1);
    await repository.commitVerdict(row.id, PASSED);
    await ended;
    assert.deepEqual(
      statusesOf(seen),
      ['queued', 'passed'],
      'the re-read of a heartbeat covers a lost event',
    );
  });

  it('answers 404 for someone else’s submission, for no cookie and for a bad id', async () => {
    const row = repository.add({ userId: 'u1' });
    for (const [userId, id] of [
      ['u2', row.id],
      [null, row.id],
      ['u1', 'not-a-uuid'],
    ] as const) {
      await assert.rejects(
        sut.open(userId, id),
        (error: unknown) => error instanceof ApiError && error.status === 404,
      );
    }
    assert.equal(events.listenerCount, 0);
  });

  it('on shutdown ends open streams with a comment and refuses new ones with 503', async () => {
    const row = repository.add({ userId: 'u1' });
    const { seen, ended } = record(await sut.open('u1', row.id));
    await until(() => seen.length === 1);
    sut.beforeApplicationShutdown();
    await ended;
    assert.deepEqual(seen.at(-1), { comment: 'shutting down, reconnect' });
    assert.equal(events.listenerCount, 0);
    await assert.rejects(
      sut.open('u1', row.id),
      (error: unknown) =>
        error instanceof ApiError && error.status === 503 && error.headers?.['retry-after'] === '1',
    );
  });
});
