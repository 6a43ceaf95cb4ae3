import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isFinalStatus, isStudentFinal } from './submission-status';
import { statusOfVerdict, VERDICTS } from './verdict';

describe('submission statuses', () => {
  it('treats only passed, failed and error as final', () => {
    assert.equal(isFinalStatus('queued'), false);
    assert.equal(isFinalStatus('grading'), false);
    assert.equal(isFinalStatus('passed'), true);
    assert.equal(isFinalStatus('error'), true);
  });

  it('never reuses an infrastructure error as a student verdict', () => {
    assert.equal(isStudentFinal('error'), false);
    assert.equal(isStudentFinal('failed'), true);
  });

  it('maps every verdict to the status it belongs to', () => {
    assert.equal(statusOfVerdict('passed'), 'passed');
    assert.equal(statusOfVerdict('time_limit_wall'), 'failed');
    assert.equal(statusOfVerdict('internal_error'), 'error');
    assert.equal(Object.values(VERDICTS).filter((s) => s === 'passed').length, 1);
  });
});
