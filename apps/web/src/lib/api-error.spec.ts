import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from './api-error.ts';

describe(parseRetryAfter.name, () => {
  const sut = parseRetryAfter;
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(sut('12', now), 12);
  });

  it('reads an HTTP date relative to now', () => {
    assert.equal(sut('Thu, 01 Jan 2026 00:00:30 GMT', now), 30);
  });

  it('never answers less than one second', () => {
    assert.equal(sut('0', now), 1);
    assert.equal(sut('Wed, 31 Dec 2025 00:00:00 GMT', now), 1);
  });

  it('answers null for a missing or unreadable header', () => {
    assert.equal(sut(null, now), null);
    assert.equal(sut('soon', now), null);
  });
});
