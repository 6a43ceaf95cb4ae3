import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUuid } from './ids';

describe('isUuid', () => {
  it('accepts a UUID in either case', () => {
    assert.equal(isUuid('0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6d'), true);
    assert.equal(isUuid('0B6F1C2E-8D3A-4F5B-9C7D-1E2F3A4B5C6D'), true);
  });

  it('refuses anything else', () => {
    for (const value of [
      '',
      'hello',
      '0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6',
      '0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6d\n',
      ' 0b6f1c2e-8d3a-4f5b-9c7d-1e2f3a4b5c6d',
      42,
      null,
    ]) {
      assert.equal(isUuid(value), false, JSON.stringify(value));
    }
  });
});
