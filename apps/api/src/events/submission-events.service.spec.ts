import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubmissionEvent } from '@koodi/contracts';
import type { RedisSubscriber } from '../infra/redis-subscriber.service';
import { SubmissionEvents } from './submission-events.service';

describe(SubmissionEvents.name, () => {
  const sut = () => new SubmissionEvents({} as RedisSubscriber);
  const event = (submissionId: string): string =>
    JSON.stringify({
      event: 'submission.graded',
      submissionId,
      userId: 'u',
      status: 'passed',
    } satisfies SubmissionEvent);

  it('hands an event only to the listeners of that submission', () => {
    const events = sut();
    const seen: string[] = [];
    events.listen('a', (e) => seen.push(`a:${e?.status}`));
    events.listen('b', (e) => seen.push(`b:${e?.status}`));
    events.dispatch(event('a'));
    assert.deepEqual(seen, ['a:passed']);
  });

  it('forgets a listener once it stops, and ignores malformed messages', () => {
    const events = sut();
    let count = 0;
    const stop = events.listen('a', () => count++);
    events.dispatch('not json');
    events.dispatch('null');
    stop();
    events.dispatch(event('a'));
    assert.equal(count, 0);
    assert.equal(events.listenerCount, 0);
  });
});
