// Adds up what the test runners report, from their own summary lines, for one closing line.
// eslint-disable-next-line no-control-regex -- terminal colour codes are control characters
const ANSI = /\u001b\[[0-9;]*m/g;

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function emptyCounts(): TestCounts {
  return { passed: 0, failed: 0, skipped: 0 };
}

/**
 * Reads node:test's "ℹ pass N" lines (a cancelled test, one whose suite failed in a hook, counts
 * as failed) and Playwright's "N passed" / "N failed" / "N skipped" lines.
 */
export function countLine(raw: string, counts: TestCounts): void {
  const line = raw.replace(ANSI, '');
  const node = /ℹ (pass|fail|cancelled|skipped|todo) (\d+)\s*$/.exec(line);
  if (node) {
    const n = Number(node[2]);
    if (node[1] === 'pass') counts.passed += n;
    else if (node[1] === 'fail' || node[1] === 'cancelled') counts.failed += n;
    else counts.skipped += n;
    return;
  }
  const playwright =
    /^(?:[\w:-]+\s+)?\s*(\d+) (passed|failed|flaky|skipped|did not run)(?: \([\d.]+m?s\))?\s*$/.exec(
      line,
    );
  if (playwright) {
    const n = Number(playwright[1]);
    if (playwright[2] === 'passed' || playwright[2] === 'flaky') counts.passed += n;
    else if (playwright[2] === 'failed') counts.failed += n;
    else counts.skipped += n;
  }
}
