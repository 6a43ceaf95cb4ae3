import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssignmentSummary } from '@koodi/contracts';
import { firstUnsolved, nextAfter } from './progress.ts';

const a = (position: number, solved = false): AssignmentSummary => ({
  id: `id-${position}`,
  slug: `slug-${position}`,
  position,
  title: `Title ${position}`,
  solved,
});

describe(firstUnsolved.name, () => {
  it('resumes at the first unsolved by position, whatever the order given', () => {
    assert.equal(firstUnsolved([a(3), a(1, true), a(2)], null)?.position, 2);
  });

  it('prefers the API’s next when it is unsolved', () => {
    assert.equal(firstUnsolved([a(1), a(2), a(3)], 'id-3')?.position, 3);
    assert.equal(firstUnsolved([a(1), a(2), a(3, true)], 'id-3')?.position, 1);
  });

  it('answers null when everything is solved', () => {
    assert.equal(firstUnsolved([a(1, true), a(2, true)], null), null);
  });
});

describe(nextAfter.name, () => {
  it('leads to the next unsolved one after the current', () => {
    assert.equal(nextAfter([a(1, true), a(2, true), a(3), a(4)], 'id-1')?.position, 3);
  });

  it('wraps to an earlier unsolved one when none follows', () => {
    assert.equal(nextAfter([a(1), a(2, true), a(3, true)], 'id-3')?.position, 1);
  });

  it('falls back to the following one when all are solved, and to none at the end', () => {
    assert.equal(nextAfter([a(1, true), a(2, true)], 'id-1')?.position, 2);
    assert.equal(nextAfter([a(1, true), a(2, true)], 'id-2'), null);
  });
});
