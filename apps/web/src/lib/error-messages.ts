import { ApiError } from './api-error.ts';

export interface ProblemText {
  /** What happened and what to do, in words a student understands. */
  message: string;
  /** Set when submitting again only makes sense after this many seconds. */
  retryAfterSeconds?: number;
  /** Set when the submission already being graded should be followed instead. */
  inFlightSubmissionId?: string;
}

/** Explains a failed submit. */
export function describeSubmitError(error: unknown): ProblemText {
  if (!(error instanceof ApiError)) return { message: unexpected() };
  if (error.isNetwork) {
    return {
      message:
        'Could not reach Koodi — check your connection, then submit again. Your code is saved here.',
    };
  }
  switch (error.status) {
    case 409: {
      const submissionId = submissionIdOf(error.details);
      return {
        message:
          'You already have a submission being graded. Its result will appear here — submit again after it finishes.',
        ...(submissionId ? { inFlightSubmissionId: submissionId } : {}),
      };
    }
    case 429: {
      const seconds = error.retryAfterSeconds ?? 10;
      return { message: rateLimitText(seconds), retryAfterSeconds: seconds };
    }
    case 413:
      return { message: tooLargeText() };
    case 400:
      return { message: `The submission was not accepted: ${error.message}` };
    case 404:
      return { message: 'This assignment no longer exists. Go back to the assignment list.' };
    default:
      return {
        message: error.status >= 500 ? serverTrouble() : `The submission failed: ${error.message}`,
      };
  }
}

/** Explains a failed Run. */
export function describeRunError(error: unknown): ProblemText {
  if (!(error instanceof ApiError)) return { message: unexpected() };
  if (error.isNetwork)
    return { message: 'Could not reach Koodi — check your connection, then run again.' };
  switch (error.status) {
    case 429: {
      const wait = error.retryAfterSeconds ?? 10;
      return { message: runRateLimitText(wait), retryAfterSeconds: wait };
    }
    case 503: {
      const wait = error.retryAfterSeconds ?? 5;
      return {
        message: `Your code could not be run just now. Try again in ${seconds(wait)}; submitting still works.`,
        retryAfterSeconds: wait,
      };
    }
    case 413:
      return { message: 'Your code or its input is too large to run (64 KB at most each).' };
    case 400:
      return { message: `The run was not accepted: ${error.message}` };
    case 404:
      return { message: 'This assignment no longer exists. Go back to the assignment list.' };
    default:
      return {
        message: error.status >= 500 ? serverTrouble() : `The run failed: ${error.message}`,
      };
  }
}

export function runRateLimitText(remainingSeconds: number): string {
  return `You are running your code very often. You can run it again in ${seconds(remainingSeconds)}.`;
}

/** Explains a failure to load a page's data. */
export function describeLoadError(error: unknown, what: string): string {
  if (!(error instanceof ApiError)) return unexpected();
  if (error.isNetwork) return `Could not load ${what} — check your connection and try again.`;
  if (error.status === 404) return `Could not find ${what}.`;
  if (error.status === 429)
    return `Too many requests. Try again in ${seconds(error.retryAfterSeconds ?? 10)}.`;
  if (error.status >= 500) return serverTrouble();
  return `Could not load ${what}: ${error.message}`;
}

export function rateLimitText(remainingSeconds: number): string {
  return `You are submitting too often. You can submit again in ${seconds(remainingSeconds)}.`;
}

export function tooLargeText(): string {
  return 'Your code is too large to submit. Make it shorter and submit again.';
}

function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

function serverTrouble(): string {
  return 'Something went wrong on our side. Please try again in a moment.';
}

function unexpected(): string {
  return 'Something unexpected went wrong. Please try again.';
}

function submissionIdOf(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const id = (details as { submissionId?: unknown }).submissionId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
