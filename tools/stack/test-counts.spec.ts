import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countLine, emptyCounts } from './test-counts.ts';

describe('countLine', () => {
  it("adds node:test's summary lines, colours and Nx prefixes included", () => {
    const sut = emptyCounts();
    for (const line of [
      'api:test: \u001b[34mℹ pass 12\u001b[39m',
      'ℹ fail 1',
      'db:test: ℹ skipped 2',
      'ℹ tests 15',
    ]) {
      countLine(line, sut);
    }
    assert.deepEqual(sut, { passed: 12, failed: 1, skipped: 2 });
  });

  it('counts tests cancelled by a failing suite hook as failed', () => {
    const sut = emptyCounts();
    for (const line of ['ℹ tests 2', 'ℹ pass 0', 'ℹ fail 0', 'hosts: ℹ cancelled 2'])
      countLine(line, sut);
    assert.deepEqual(sut, { passed: 0, failed: 2, skipped: 0 });
  });

  it("adds Playwright's summary lines", () => {
    const sut = emptyCounts();
    for (const line of ['  14 passed (41.2s)', '  1 failed', '  2 skipped', 'web:e2e:   3 flaky'])
      countLine(line, sut);
    assert.deepEqual(sut, { passed: 17, failed: 1, skipped: 2 });
  });

  it('ignores ordinary output that mentions numbers', () => {
    const sut = emptyCounts();
    countLine('✔ 3 passed tests are shown in the list (2ms)', sut);
    countLine('submitted 10 passed solutions', sut);
    assert.deepEqual(sut, emptyCounts());
  });
});
