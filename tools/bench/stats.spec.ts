import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile } from './stats.ts';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(samples, 50), 50);
    assert.equal(percentile(samples, 99), 99);
    assert.equal(percentile(samples, 100), 100);
  });

  it('is NaN without samples', () => {
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('gives the middle value as the median', () => {
    assert.equal(median([5, 1, 3]), 3);
  });
});
