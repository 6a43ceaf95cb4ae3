import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '@koodi/contracts';
import type { SubmissionView } from '@koodi/contracts';
import { describeStatus, historyLabel } from './verdict-text.ts';

type View = Pick<SubmissionView, 'status' | 'verdict' | 'summary' | 'queuePosition' | 'location'>;
const view = (over: Partial<View>): View => ({
  status: 'failed',
  verdict: null,
  summary: null,
  queuePosition: null,
  location: null,
  ...over,
});

describe(describeStatus.name, () => {
  const sut = describeStatus;

  it('gives the queue position while queued', () => {
    assert.match(sut(view({ status: 'queued', queuePosition: 3 })).detail, /number 3 in the queue/);
  });

  it('celebrates a pass', () => {
    const text = sut(view({ status: 'passed', verdict: 'passed', summary: 'All 3 tests passed.' }));
    assert.equal(text.tone, 'success');
    assert.match(text.title, /well done/i);
  });

  it('points a syntax error at its line', () => {
    const text = sut(view({ verdict: 'syntax_error', location: { line: 4 } }));
    assert.equal(text.title, 'Syntax error');
    assert.match(text.detail, /line 4/);
  });

  it('prefers the grader’s own sentence', () => {
    const text = sut(view({ verdict: 'syntax_error', summary: 'Syntax error on line 2, column 5: invalid syntax.' }));
    assert.match(text.detail, /^Syntax error on line 2, column 5: invalid syntax\. Fix it/);
  });

  it('names the limit that was hit', () => {
    assert.match(sut(view({ verdict: 'time_limit_wall' }), DEFAULT_LIMITS).detail, new RegExp(`${DEFAULT_LIMITS.wallSeconds} seconds`));
    assert.match(sut(view({ verdict: 'memory_limit' }), DEFAULT_LIMITS).detail, /MB of memory/);
  });

  it('tells the student that an infrastructure error is not theirs', () => {
    const text = sut(view({ status: 'error', verdict: 'internal_error' }));
    assert.equal(text.tone, 'ours');
    assert.match(text.detail, /not your fault/);
  });
});

describe(historyLabel.name, () => {
  it('labels each final status', () => {
    assert.equal(historyLabel('passed', 'passed'), 'Passed');
    assert.equal(historyLabel('failed', 'tests_failed'), 'Some tests failed');
    assert.equal(historyLabel('failed', 'syntax_error'), 'Syntax error');
  });
});
