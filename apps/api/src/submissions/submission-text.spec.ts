import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubmissionView } from '@koodi/contracts';
import {
  describeSubmission,
  describeTiming,
  historyLabel,
  RETRY_DETAIL,
  REUSED_TIMING,
} from './submission-text';

type View = Pick<SubmissionView, 'status' | 'verdict' | 'summary' | 'queuePosition' | 'location'>;
const view = (over: Partial<View>): View => ({
  status: 'failed',
  verdict: null,
  summary: null,
  queuePosition: null,
  location: null,
  ...over,
});

describe(describeSubmission.name, () => {
  const sut = describeSubmission;

  it('gives the queue position while queued', () => {
    assert.match(sut(view({ status: 'queued', queuePosition: 3 })).detail, /number 3 in the queue/);
    assert.equal(sut(view({ status: 'queued' })).detail, 'Your submission is in the queue.');
  });

  it('celebrates a pass with the grader’s count', () => {
    const text = sut(view({ status: 'passed', verdict: 'passed', summary: 'All 3 tests passed.' }));
    assert.match(text.title, /well done/i);
    assert.equal(text.detail, 'All 3 tests passed.');
  });

  it('points a syntax error at its line', () => {
    const text = sut(view({ verdict: 'syntax_error', location: { line: 4 } }));
    assert.equal(text.title, 'Syntax error');
    assert.match(text.detail, /line 4/);
  });

  it('prefers the grader’s own sentence', () => {
    const text = sut(
      view({
        verdict: 'syntax_error',
        summary: 'Syntax error on line 2, column 5: invalid syntax.',
      }),
    );
    assert.match(text.detail, /^Syntax error on line 2, column 5: invalid syntax\. Fix it/);
    const limit = sut(
      view({ verdict: 'memory_limit', summary: 'Memory limit exceeded: more than 64 MB.' }),
    );
    assert.equal(limit.detail, 'Memory limit exceeded: more than 64 MB.');
  });

  it('names the limit kind when the grader said nothing', () => {
    assert.match(sut(view({ verdict: 'time_limit_cpu' })).detail, /CPU time/);
    assert.match(sut(view({ verdict: 'memory_limit' })).detail, /memory/);
  });

  it('passes on the grader’s reason for an error, which may not ask for another submission', () => {
    const broken =
      'The tests of this assignment are broken; this is not your fault and will be looked at.';
    const text = sut(view({ status: 'error', verdict: 'internal_error', summary: broken }));
    assert.equal(text.title, 'Grading failed on our side');
    assert.equal(text.detail, broken);
    assert.doesNotMatch(text.detail, /submit again/);
  });

  it('asks for another submission when an error came without a reason', () => {
    assert.equal(
      sut(view({ status: 'error', verdict: 'internal_error', summary: '  ' })).detail,
      RETRY_DETAIL,
    );
  });
});

describe(describeTiming.name, () => {
  const sut = describeTiming;

  it('gives the grading time of a verdict the grader made', () => {
    assert.equal(sut({ status: 'passed', gradingMs: 21, reused: false }), 'Graded in 21 ms.');
    assert.equal(sut({ status: 'failed', gradingMs: 0, reused: false }), 'Graded in under 1 ms.');
  });

  it('says a reused verdict is the result of the same code graded before, not a time', () => {
    for (const status of ['passed', 'failed'] as const) {
      const text = sut({ status, gradingMs: 0, reused: true });
      assert.equal(text, REUSED_TIMING);
      assert.match(text!, /same code|exact code was graded before/);
      assert.doesNotMatch(text!, /ms/);
    }
  });

  it('says nothing while pending or without a time', () => {
    for (const status of ['queued', 'grading'] as const)
      assert.equal(sut({ status, gradingMs: null, reused: true }), null);
    assert.equal(sut({ status: 'error', gradingMs: null, reused: false }), null);
  });
});

describe(historyLabel.name, () => {
  it('labels each status', () => {
    assert.equal(historyLabel('passed', 'passed'), 'Passed');
    assert.equal(historyLabel('failed', 'tests_failed'), 'Some tests failed');
    assert.equal(historyLabel('failed', 'syntax_error'), 'Syntax error');
    assert.equal(historyLabel('error', 'internal_error'), 'Grading error');
    assert.equal(historyLabel('queued', null), 'Queued');
  });
});
