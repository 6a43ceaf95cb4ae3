import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssignmentSummary } from '@koodi/contracts';
import { nextAfterEach, progressOf } from './progress.service';

const course: AssignmentSummary[] = ['a', 'b', 'c'].map((id, index) => ({
  id,
  slug: id,
  position: index + 1,
  title: id,
}));

describe(progressOf.name, () => {
  const sut = progressOf;

  it('gives 100 points per distinct solved assignment and names the first unsolved', () => {
    assert.deepEqual(
      { ...sut('u', ['b', 'a'], course), nextAfter: undefined },
      { userId: 'u', points: 200, solved: ['a', 'b'], next: 'c', nextAfter: undefined },
    );
  });

  it('counts repeats once and ignores assignments no longer in the course', () => {
    assert.deepEqual(
      { ...sut('u', ['a', 'a', 'gone'], course), nextAfter: undefined },
      { userId: 'u', points: 100, solved: ['a'], next: 'b', nextAfter: undefined },
    );
  });

  it('has no next assignment when everything is solved', () => {
    assert.equal(sut('u', ['a', 'b', 'c'], course).next, null);
    assert.equal(sut('u', [], []).next, null);
  });
});

describe(nextAfterEach.name, () => {
  const sut = (solved: string[]) =>
    Object.fromEntries(
      Object.entries(nextAfterEach(course, new Set(solved))).map(([id, ref]) => [
        id,
        ref?.id ?? null,
      ]),
    );

  it('leads to the following assignment while nothing is solved', () => {
    assert.deepEqual(sut([]), { a: 'b', b: 'c', c: 'a' });
  });

  it('skips solved ones and wraps round to an earlier unsolved one', () => {
    assert.deepEqual(sut(['b']), { a: 'c', b: 'c', c: 'a' });
    // Only a is left: from a itself the link goes on to the following one.
    assert.deepEqual(sut(['b', 'c']), { a: 'b', b: 'a', c: 'a' });
  });

  it('when everything is solved, leads to the following one and ends after the last', () => {
    assert.deepEqual(sut(['a', 'b', 'c']), { a: 'b', b: 'c', c: null });
  });

  it('gives links with slug and title', () => {
    assert.deepEqual(nextAfterEach(course, new Set())['a'], { id: 'b', slug: 'b', title: 'b' });
    assert.deepEqual(nextAfterEach([], new Set()), {});
  });
});
