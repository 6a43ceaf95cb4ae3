import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_GRADING_ATTEMPTS } from '@koodi/contracts';
import { GAVE_UP_FEEDBACK, gaveUpVerdict, MAX_RECORDED_ATTEMPTS, shouldGiveUp } from './give-up';

describe(shouldGiveUp.name, () => {
  it(`gives up on a lost job once its row was claimed ${MAX_GRADING_ATTEMPTS} times`, () => {
    assert.equal(shouldGiveUp(MAX_GRADING_ATTEMPTS - 1, 'lost'), false);
    assert.equal(shouldGiveUp(MAX_GRADING_ATTEMPTS, 'lost'), true);
  });

  it('lets a job in hand run until its row has more claims than shutdown hand-backs explain', () => {
    assert.equal(MAX_RECORDED_ATTEMPTS, 2 * MAX_GRADING_ATTEMPTS);
    assert.equal(
      shouldGiveUp(MAX_GRADING_ATTEMPTS, 'in-hand'),
      false,
      'the last delivery the queue allows still runs',
    );
    assert.equal(shouldGiveUp(MAX_RECORDED_ATTEMPTS, 'in-hand'), false);
    assert.equal(shouldGiveUp(MAX_RECORDED_ATTEMPTS + 1, 'in-hand'), true);
  });
});

describe(gaveUpVerdict.name, () => {
  it('is our error, telling the student it was not their code and costs them nothing', () => {
    const sut = gaveUpVerdict();
    assert.deepEqual(sut, { verdict: 'internal_error', feedback: GAVE_UP_FEEDBACK, gradingMs: 0 });
    assert.match(sut.feedback.summary, /our side/);
    assert.match(sut.feedback.summary, /not because of your code/);
    assert.match(sut.feedback.summary, /does not count against you/);
    assert.deepEqual(sut.feedback.tests, []);
  });
});
