import type { SubmissionStatus, SubmissionView, Verdict } from '@koodi/contracts';

export interface SubmissionText {
  title: string;
  detail: string;
}

type Described = Pick<
  SubmissionView,
  'status' | 'verdict' | 'summary' | 'queuePosition' | 'location'
>;

/** Returned for `error` when the grader left no sentence of its own (e.g. an old row). */
export const RETRY_DETAIL = 'This was not your fault and costs you nothing. Please submit again.';

/**
 * One headline and one sentence for where a submission stands. The student's page shows these
 * as they are, so every client words a verdict the same way and the rules live here only.
 */
export function describeSubmission(view: Described): SubmissionText {
  const said = view.summary?.trim();
  switch (view.status) {
    case 'queued':
      return {
        title: 'Waiting to be graded',
        detail:
          view.queuePosition && view.queuePosition > 0
            ? `Your submission is number ${view.queuePosition} in the queue.`
            : 'Your submission is in the queue.',
      };
    case 'grading':
      return { title: 'Grading…', detail: 'Running the tests on your code.' };
    case 'passed':
      return { title: 'Solved — well done!', detail: said || 'All tests passed.' };
    case 'error':
      // The grader's sentence says whether submitting again helps: it does after a lost worker,
      // not when the assignment's own tests are broken.
      return { title: 'Grading failed on our side', detail: said || RETRY_DETAIL };
    case 'failed':
      return {
        title: failedTitle(view.verdict),
        detail: failedDetail(view.verdict, said, view.location?.line),
      };
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
    case 'tests_failed':
    case 'passed':
    case 'internal_error':
    case null:
      return 'Not yet — some tests failed';
  }
}

function failedDetail(
  verdict: Verdict | null,
  said: string | undefined,
  line: number | undefined,
): string {
  const at = line === undefined ? '' : ` on line ${line}`;
  // The grader's own sentence is the most precise (it names the limit); the fallbacks cover a
  // terse answer.
  switch (verdict) {
    case 'syntax_error':
      return `${said || `Python could not read your code${at}.`} Fix it and submit again.`;
    case 'import_error':
      return said || `Your code raised an error while loading${at}, before any test could run.`;
    case 'time_limit_cpu':
      return (
        said || 'Your code used more than the allowed CPU time. Look for a loop that never ends.'
      );
    case 'time_limit_wall':
      return (
        said ||
        'Your code ran longer than allowed. Look for a loop that never ends or a call that waits.'
      );
    case 'memory_limit':
      return said || 'Your code used more memory than allowed.';
    case 'output_limit':
      return said || 'Your code printed more output than allowed.';
    case 'tests_failed':
    case 'passed':
    case 'internal_error':
    case null:
      return said || 'Some tests failed. See each test below.';
  }
}

/** Said instead of a grading time when the verdict is an earlier one's, given again. */
export const REUSED_TIMING =
  'This exact code was graded before, so its result is given again without running it twice.';

/**
 * How the verdict came about, under the result: how long grading took, or that identical code
 * was graded before (a reused verdict's time, 0 ms, would tell the student nothing). Null while
 * the submission is pending or for a row with no time.
 */
export function describeTiming(view: {
  status: SubmissionStatus;
  gradingMs: number | null;
  reused: boolean;
}): string | null {
  if (view.status === 'queued' || view.status === 'grading') return null;
  if (view.reused && view.status !== 'error') return REUSED_TIMING;
  if (view.gradingMs === null) return null;
  return `Graded in ${view.gradingMs < 1 ? 'under 1' : Math.round(view.gradingMs)} ms.`;
}

/** A short label for the list of earlier submissions. */
export function historyLabel(status: SubmissionStatus, verdict: Verdict | null): string {
  if (status === 'passed') return 'Passed';
  if (status === 'error') return 'Grading error';
  if (status === 'queued') return 'Queued';
  if (status === 'grading') return 'Grading';
  return failedTitle(verdict).replace(/^Not yet — s/, 'S');
}
