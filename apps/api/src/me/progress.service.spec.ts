import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssignmentSummary } from '@koodi/contracts';
import { progressOf } from './progress.service';

const course: AssignmentSummary[] = ['a', 'b', 'c'].map((id, index) => ({
  id,
  slug: id,
  position: index + 1,
  title: id,
  solved: false,
}));

describe(progressOf.name, () => {
  const sut = progressOf;

  it('gives 100 points per distinct solved assignment and names the first unsolved', () => {
    assert.deepEqual(sut('u', ['b', 'a'], course), { userId: 'u', points: 200, solved: ['a', 'b'], next: 'c' });
  });

  it('counts repeats once and ignores assignments no longer in the course', () => {
    assert.deepEqual(sut('u', ['a', 'a', 'gone'], course), { userId: 'u', points: 100, solved: ['a'], next: 'b' });
  });

  it('has no next assignment when everything is solved', () => {
    assert.equal(sut('u', ['a', 'b', 'c'], course).next, null);
    assert.equal(sut('u', [], []).next, null);
  });
});
