import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { submitCodeRequestSchema } from './submit-code.request';

describe('submitCodeRequestSchema', () => {
  const sut = submitCodeRequestSchema;

  it('accepts ordinary code, unicode included', () => {
    assert.equal(sut.safeParse({ code: 'def hello():\n    return "héllo 👋"\n' }).success, true);
  });

  for (const [label, body] of [
    ['a missing code field', {}],
    ['a number', { code: 42 }],
    ['an empty string', { code: '' }],
    ['a NUL byte', { code: 'x = 1\u0000' }],
    ['a lone surrogate', { code: 'x = "\uD800"' }],
  ] as const) {
    it(`rejects ${label}`, () => {
      assert.equal(sut.safeParse(body).success, false);
    });
  }
});
