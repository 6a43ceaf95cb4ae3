import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SUBMISSION_EVENTS_CHANNEL,
  SUBMISSION_GRADED,
  SUBMISSION_GRADING,
  type SubmissionEvent,
} from '@koodi/contracts';
import {
  parseSubmissionEvent,
  RedisSubmissionEventsPublisher,
  serializeSubmissionEvent,
} from './submission-events.publisher';

const event: SubmissionEvent = {
  event: SUBMISSION_GRADED,
  submissionId: '0b8f0d3c-2f54-4c1e-9d55-4c7f3c7f9a10',
  userId: 'u1',
  status: 'passed',
};

describe(RedisSubmissionEventsPublisher.name, () => {
  const published: [string, string][] = [];
  const sut = new RedisSubmissionEventsPublisher({
    publish: async (channel, message) => {
      published.push([channel, message]);
      return 1;
    },
  });

  it('publishes one serialised event on the submission events channel', async () => {
    published.length = 0;
    await sut.publish(event);
    assert.deepEqual(published, [[SUBMISSION_EVENTS_CHANNEL, serializeSubmissionEvent(event)]]);
    assert.deepEqual(parseSubmissionEvent(published[0][1]), event);
  });

  it('publishes one event per changed row, in order', async () => {
    published.length = 0;
    await sut.publishChanged(
      [
        { id: 'a', userId: 'u1', status: 'grading' },
        { id: 'b', userId: 'u2', status: 'grading' },
      ],
      SUBMISSION_GRADING,
    );
    assert.deepEqual(
      published.map(([, message]) => parseSubmissionEvent(message)),
      [
        { event: SUBMISSION_GRADING, submissionId: 'a', userId: 'u1', status: 'grading' },
        { event: SUBMISSION_GRADING, submissionId: 'b', userId: 'u2', status: 'grading' },
      ],
    );
  });
});

describe(serializeSubmissionEvent.name, () => {
  it('writes exactly the four fields of a SubmissionEvent', () => {
    const extra = { ...event, code: 'print(1)' } as SubmissionEvent;
    assert.deepEqual(Object.keys(JSON.parse(serializeSubmissionEvent(extra))), [
      'event',
      'submissionId',
      'userId',
      'status',
    ]);
  });
});

describe(parseSubmissionEvent.name, () => {
  for (const message of [
    'not json',
    'null',
    '42',
    '{"event":"submission.graded"}',
    '{"submissionId":7}',
  ]) {
    it(`reads ${message} as no event`, () => {
      assert.equal(parseSubmissionEvent(message), null);
    });
  }
});
