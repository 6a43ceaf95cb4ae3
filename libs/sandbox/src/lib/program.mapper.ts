import { constants } from 'node:os';
import {
  outputMatches,
  type AssignmentLimits,
  type ProgramCase,
  type ProgramTests,
} from '@koodi/contracts';
import type { RunnerEvent } from './verdict.mapper';

/** What the runner reports of one run of a program (see the program side of zygote.py). */
export interface CaseEvent extends RunnerEvent {
  e: 'case';
  /** What the program printed on stdout, base64, at most the output limit. */
  stdout?: string;
  stdoutBytes?: number;
  exitCode?: number | null;
  signal?: number | null;
  cpuSeconds?: number;
  outputLimit?: boolean;
  /** What the program raised, as its own process reported it: words the message, never the outcome. */
  error?: RunnerEvent;
}

const SHOWN_CHARS = 1500;

/**
 * Turns each run of a program into the test event a unittest test would have given, comparing
 * what it printed with the expected output here, outside the sandbox. The i-th case event is the
 * i-th case: the runner reports them in order, and a submission cannot write to its stream.
 */
export function programTestEvents(
  events: RunnerEvent[],
  tests: ProgramTests,
  limits: AssignmentLimits,
): RunnerEvent[] {
  let index = 0;
  return events.map((event) => {
    if (event.e !== 'case') return event;
    const expected = tests.cases[index++];
    return caseResult(event as CaseEvent, expected, tests, limits);
  });
}

function caseResult(
  event: CaseEvent,
  expectedCase: ProgramCase | undefined,
  tests: ProgramTests,
  limits: AssignmentLimits,
): RunnerEvent {
  const name = String(event.name ?? 'unnamed case');
  const printed = Buffer.from(
    typeof event.stdout === 'string' ? event.stdout : '',
    'base64',
  ).toString('utf8');
  const test = (
    outcome: string,
    message: string,
    extra: Partial<RunnerEvent> = {},
  ): RunnerEvent => ({ e: 'test', name, outcome, message, ...extra });
  if (expectedCase === undefined)
    return test('error', 'The runner reported a case the assignment does not have.');
  const expected = expectedCase.stdout;
  if (event.outputLimit) {
    return test(
      'error',
      `Your program printed more than ${limits.outputKb} KB, so it was stopped.`,
      { outputLimit: true },
    );
  }
  if (
    event.signal === constants.signals.SIGXCPU ||
    (event.signal != null && (event.cpuSeconds ?? 0) >= limits.cpuSeconds)
  ) {
    return test(
      'error',
      `Your program used more than ${limits.cpuSeconds} s of CPU time on this input, so it was stopped.`,
      { cpu: true },
    );
  }
  if (event.exitCode !== 0) {
    const error: RunnerEvent = event.error ?? { e: 'error' };
    const how =
      event.signal != null
        ? `was stopped by signal ${event.signal}`
        : `ended with exit code ${event.exitCode ?? 'unknown'}`;
    const message = error.message ? String(error.message) : `Your program ${how}.`;
    return test('error', withOutput(message, printed), {
      type: error.type,
      detail: error.detail,
      location: error.location,
      memory: error.memory,
      recursion: error.recursion,
      processes: error.processes,
    });
  }
  // A Run's own stdin: what it printed is the answer, compared with nothing.
  if (expectedCase.shownOnly) return test('passed', printed);
  if (outputMatches(tests.compare, expected, printed)) return test('passed', '');
  return test('failed', difference(expected, printed, tests.compare));
}

function withOutput(message: string, printed: string): string {
  return printed ? `${message}\n\nBefore that, your program printed:\n${shown(printed)}` : message;
}

function shown(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n[…]` : text;
}

/** The message of a wrong output: the first line that differs, then both outputs. */
export function difference(
  expected: string,
  printed: string,
  compare: ProgramTests['compare'],
): string {
  const want = expected.split('\n');
  const got = printed.split('\n');
  let line = 0;
  const same = (a: string | undefined, b: string | undefined) =>
    compare === 'exact'
      ? a === b
      : (a ?? '').trim().replace(/\s+/g, ' ') === (b ?? '').trim().replace(/\s+/g, ' ');
  while (line < Math.max(want.length, got.length) && same(want[line], got[line])) line++;
  const quote = (text: string | undefined) =>
    text === undefined ? 'nothing (the output ended)' : JSON.stringify(text);
  const first = `Line ${line + 1} differs: expected ${quote(want[line])}, your program printed ${quote(got[line])}.`;
  const hint =
    compare === 'exact' && expected.trimEnd() === printed.trimEnd()
      ? ' Only the whitespace at the end differs, and this assignment compares the output exactly.'
      : '';
  return `${first}${hint}\n\nExpected output:\n${shown(expected)}\n\nYour program printed:\n${printed ? shown(printed) : '(nothing)'}`;
}
