import type { AssignmentLimits, SubmissionStatus, SubmissionView, Verdict } from '@koodi/contracts';

export type Tone = 'pending' | 'success' | 'failure' | 'ours';

export interface StatusText {
  title: string;
  detail: string;
  tone: Tone;
}

/** One headline and one sentence for where a submission stands. */
export function describeStatus(
  view: Pick<SubmissionView, 'status' | 'verdict' | 'summary' | 'queuePosition' | 'location'>,
  limits?: AssignmentLimits,
): StatusText {
  switch (view.status) {
    case 'queued':
      return {
        title: 'Waiting to be graded',
        detail:
          view.queuePosition && view.queuePosition > 0
            ? `Your submission is number ${view.queuePosition} in the queue.`
            : 'Your submission is in the queue.',
        tone: 'pending',
      };
    case 'grading':
      return { title: 'Grading…', detail: 'Running the tests on your code.', tone: 'pending' };
    case 'passed':
      return {
        title: 'Solved — well done!',
        detail: view.summary ?? 'All tests passed.',
        tone: 'success',
      };
    case 'error':
      return {
        title: 'Grading failed on our side',
        detail: 'This was not your fault and costs you nothing. Please submit again.',
        tone: 'ours',
      };
    case 'failed':
      return { title: failedTitle(view.verdict), detail: failedDetail(view, limits), tone: 'failure' };
  }
}

function failedTitle(verdict: Verdict | null): string {
  switch (verdict) {
    case 'syntax_error':
      return 'Syntax error';
    case 'import_error':
      return 'Your code stopped with an error';
    case 'time_limit_cpu':
    case 'time_limit_wall':
      return 'Time limit exceeded';
    case 'memory_limit':
      return 'Memory limit exceeded';
    case 'output_limit':
      return 'Too much output';
    default:
      return 'Not yet — some tests failed';
  }
}

function failedDetail(
  view: Pick<SubmissionView, 'verdict' | 'summary' | 'location'>,
  limits: AssignmentLimits | undefined,
): string {
  const at = view.location ? ` on line ${view.location.line}` : '';
  // The grader's own sentence is the most precise; the fallbacks cover an older or terse answer.
  const said = view.summary?.trim();
  switch (view.verdict) {
    case 'syntax_error':
      return `${said || `Python could not read your code${at}.`} Fix it and submit again.`;
    case 'import_error':
      return said || `Your code raised an error while loading${at}, before any test could run.`;
    case 'time_limit_cpu':
      return said || `Your code used more than ${limits?.cpuSeconds ?? 'the allowed'} seconds of CPU time. Look for a loop that never ends.`;
    case 'time_limit_wall':
      return said || `Your code ran longer than ${limits?.wallSeconds ?? 'the allowed'} seconds. Look for a loop that never ends or a call that waits.`;
    case 'memory_limit':
      return said || `Your code used more than ${limits?.memoryMb ?? 'the allowed'} MB of memory.`;
    case 'output_limit':
      return said || `Your code printed more than ${limits?.outputKb ?? 'the allowed'} KB of output.`;
    default:
      return said || 'Some tests failed. See each test below.';
  }
}

export function isPending(status: SubmissionStatus): boolean {
  return status === 'queued' || status === 'grading';
}

/** A short label for the history list. */
export function historyLabel(status: SubmissionStatus, verdict: Verdict | null): string {
  if (status === 'passed') return 'Passed';
  if (status === 'error') return 'Grading error';
  if (status === 'queued') return 'Queued';
  if (status === 'grading') return 'Grading';
  return failedTitle(verdict).replace(/^Not yet — s/, 'S');
}
