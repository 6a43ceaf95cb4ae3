import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inlineCodeParts } from './inline-code.ts';

describe('inlineCodeParts', () => {
  it('shows the names between backticks as code', () => {
    assert.deepEqual(
      inlineCodeParts('Your code has no function named `sum`. Check the spelling.'),
      [
        { text: 'Your code has no function named ', code: false },
        { text: 'sum', code: true },
        { text: '. Check the spelling.', code: false },
      ],
    );
  });

  it('keeps a sentence without backticks whole, and an empty one empty', () => {
    assert.deepEqual(inlineCodeParts('All 3 tests passed.'), [
      { text: 'All 3 tests passed.', code: false },
    ]);
    assert.deepEqual(inlineCodeParts(''), []);
  });

  it('leaves an unpaired backtick and markup as text', () => {
    assert.deepEqual(inlineCodeParts('a ` b <b>x</b>'), [{ text: 'a ` b <b>x</b>', code: false }]);
    assert.deepEqual(inlineCodeParts('`a` and `<b>`'), [
      { text: 'a', code: true },
      { text: ' and ', code: false },
      { text: '<b>', code: true },
    ]);
  });
});
