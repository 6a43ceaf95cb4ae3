import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubmissionEvent } from '@koodi/contracts';
import type { SubmissionRepository } from '@koodi/db';
import { SubmissionEvents } from '../events/submission-events.service';
import type { RedisSubscriber } from '../infra/redis-subscriber.service';
import { SolvedCache } from './solved-cache.service';

describe(SolvedCache.name, () => {
  function setup() {
    const solved = new Map<string, string[]>([['u1', ['a']]]);
    let queries = 0;
    const repository = {
      solvedAssignmentIds: async (userId: string) => {
        queries++;
        return solved.get(userId) ?? [];
      },
    } as unknown as SubmissionRepository;
    const events = new SubmissionEvents({} as RedisSubscriber);
    const sut = new SolvedCache(repository, events);
    sut.onModuleInit();
    const publish = (event: SubmissionEvent) => events.dispatch(JSON.stringify(event));
    return { sut, solved, publish, queries: () => queries };
  }

  it('answers repeated reads from memory', async () => {
    const { sut, queries } = setup();
    assert.deepEqual([...(await sut.get('u1'))], ['a']);
    assert.deepEqual([...(await sut.get('u1'))], ['a']);
    assert.equal(queries(), 1);
  });

  it('forgets a student’s list when one of their submissions passes', async () => {
    const { sut, solved, publish, queries } = setup();
    await sut.get('u1');
    publish({ event: 'submission.graded', submissionId: 's', userId: 'u2', status: 'passed' });
    publish({ event: 'submission.graded', submissionId: 's', userId: 'u1', status: 'failed' });
    await sut.get('u1');
    assert.equal(queries(), 1, 'other students and failures change nothing');
    solved.set('u1', ['a', 'b']);
    publish({ event: 'submission.graded', submissionId: 's', userId: 'u1', status: 'passed' });
    assert.deepEqual([...(await sut.get('u1'))].sort(), ['a', 'b']);
    assert.equal(queries(), 2);
  });

  it('expires entries after a while', async () => {
    const { sut, queries } = setup();
    await sut.get('u1', 0);
    await sut.get('u1', 60_000);
    assert.equal(queries(), 2);
  });
});
