import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCodeRequestSchema } from './run-code.request';

describe('runCodeRequestSchema', () => {
  const sut = runCodeRequestSchema;

  it('accepts code alone, and code with stdin (empty included)', () => {
    assert.equal(sut.safeParse({ code: 'print(input())' }).success, true);
    assert.deepEqual(sut.parse({ code: 'x = 1', stdin: 'héllo\n' }), {
      code: 'x = 1',
      stdin: 'héllo\n',
    });
    assert.equal(sut.safeParse({ code: 'x = 1', stdin: '' }).success, true);
  });

  for (const [label, body] of [
    ['a missing code field', { stdin: '1' }],
    ['empty code', { code: '', stdin: '1' }],
    ['a number as stdin', { code: 'x = 1', stdin: 1 }],
    ['a NUL byte in stdin', { code: 'x = 1', stdin: 'a\u0000' }],
    ['a lone surrogate in stdin', { code: 'x = 1', stdin: '\uDC00' }],
  ] as const) {
    it(`rejects ${label}`, () => {
      assert.equal(sut.safeParse(body).success, false);
    });
  }
});
