import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssignmentSummary } from '@koodi/contracts';
import { courseWithProgress } from './course-progress.ts';

const entry = (id: string, position: number): AssignmentSummary => ({
  id,
  slug: `slug-${id}`,
  position,
  title: `Title ${id}`,
});

describe('courseWithProgress', () => {
  const sut = courseWithProgress;
  const list = [entry('c', 3), entry('a', 1), entry('b', 2)];

  it('marks the assignments /api/me names as solved, in course order', () => {
    assert.deepEqual(sut(list, { solved: ['c', 'a'] }), [
      { ...entry('a', 1), solved: true },
      { ...entry('b', 2), solved: false },
      { ...entry('c', 3), solved: true },
    ]);
  });

  it('marks nothing before /api/me has answered, or when nothing is solved', () => {
    for (const me of [null, { solved: [] }]) {
      assert.deepEqual(
        sut(list, me).map((item) => [item.id, item.solved]),
        [
          ['a', false],
          ['b', false],
          ['c', false],
        ],
      );
    }
  });

  it('ignores solved ids no longer in the course and leaves the shared list untouched', () => {
    const before = structuredClone(list);
    assert.deepEqual(
      sut(list, { solved: ['gone', 'b'] }).map((item) => [item.id, item.solved]),
      [
        ['a', false],
        ['b', true],
        ['c', false],
      ],
    );
    assert.deepEqual(list, before);
  });
});
