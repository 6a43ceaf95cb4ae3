import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffLines, hasChanges, type DiffLine } from './line-diff.ts';

const marks = (diff: DiffLine[]) =>
  diff.map(
    (line) => `${line.kind === 'same' ? ' ' : line.kind === 'added' ? '+' : '-'}${line.text}`,
  );

describe('diffLines', () => {
  const sut = diffLines;

  it('keeps identical texts as they are, with line numbers on both sides', () => {
    const diff = sut('a\nb\n', 'a\nb\n');
    assert.deepEqual(diff, [
      { kind: 'same', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'same', text: 'b', oldLine: 2, newLine: 2 },
    ]);
    assert.equal(hasChanges(diff), false);
  });

  it('shows a changed line as removed then added, between kept ones', () => {
    const diff = sut('def f():\n    return 1\n', 'def f():\n    return 2\n');
    assert.deepEqual(marks(diff), [' def f():', '-    return 1', '+    return 2']);
    assert.equal(diff[1]!.oldLine, 2);
    assert.equal(diff[2]!.newLine, 2);
    assert.equal(hasChanges(diff), true);
  });

  it('aligns inserted and deleted lines in the middle by their common lines', () => {
    const before = 'a\nb\nc\nd\ne\n';
    const after = 'a\nx\nb\nd\ne\ny\n';
    assert.deepEqual(marks(sut(before, after)), [' a', '+x', ' b', '-c', ' d', ' e', '+y']);
  });

  it('numbers the lines after a change by their place in each text', () => {
    const diff = sut('a\nb\nc\n', 'a\nnew\nnewer\nb\nc\n');
    const last = diff.at(-1)!;
    assert.deepEqual(last, { kind: 'same', text: 'c', oldLine: 3, newLine: 5 });
  });

  it('treats an empty text as no lines, and a missing final newline as the same line', () => {
    assert.deepEqual(sut('', ''), []);
    assert.deepEqual(marks(sut('', 'x\n')), ['+x']);
    assert.deepEqual(marks(sut('x', 'x\n')), [' x']);
    assert.deepEqual(marks(sut('a\r\nb\r\n', 'a\nb\n')), [' a', ' b']);
  });

  it('still answers for texts too large to align line by line', () => {
    const before = Array.from({ length: 2_500 }, (_, i) => `old ${i}`).join('\n');
    const after = Array.from({ length: 2_500 }, (_, i) => `new ${i}`).join('\n');
    const diff = sut(`same\n${before}\nend\n`, `same\n${after}\nend\n`);
    assert.equal(diff.length, 5_002);
    assert.deepEqual(marks([diff[0]!, diff.at(-1)!]), [' same', ' end']);
    assert.equal(diff.filter((l) => l.kind === 'removed').length, 2_500);
  });
});
