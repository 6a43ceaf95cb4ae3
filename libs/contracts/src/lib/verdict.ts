import type { FinalStatus } from './submission-status';

/** Why a submission ended where it did. Each verdict belongs to exactly one final status. */
export const VERDICTS = {
  passed: 'passed',
  tests_failed: 'failed',
  syntax_error: 'failed',
  import_error: 'failed',
  time_limit_cpu: 'failed',
  time_limit_wall: 'failed',
  memory_limit: 'failed',
  output_limit: 'failed',
  internal_error: 'error',
} as const satisfies Record<string, FinalStatus>;

export type Verdict = keyof typeof VERDICTS;

export function statusOfVerdict(verdict: Verdict): FinalStatus {
  return VERDICTS[verdict];
}
