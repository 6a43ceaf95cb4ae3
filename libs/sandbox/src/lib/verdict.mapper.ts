import { constants } from 'node:os';
import type {
  AssignmentLimits,
  CodeLocation,
  Feedback,
  TestOutcome,
  TestResult,
  Verdict,
} from '@koodi/contracts';
import type { ZygoteEnd } from './zygote-protocol';

/** One line of the runner's result stream (see zygote.py). Unknown fields are ignored. */
export interface RunnerEvent {
  e: string;
  name?: string;
  outcome?: string;
  message?: string;
  detail?: string;
  type?: string;
  line?: number | null;
  column?: number | null;
  location?: { line?: number };
  memory?: boolean;
  processes?: boolean;
  recursion?: boolean;
  exit?: boolean;
  code?: string;
  testsRun?: number;
  what?: string;
}

export interface JobObservation {
  events: RunnerEvent[];
  output: Buffer;
  end: ZygoteEnd;
  limits: AssignmentLimits;
  maxProcesses: number;
}

export interface Judgement {
  verdict: Verdict;
  feedback: Feedback;
}

/** The result stream carried no `started` event: the sandbox, not the submission, failed. */
export class NoRunnerStartError extends Error {}

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num as number, name]),
);

const SIGNAL_WORDS: Record<string, string> = {
  SIGSEGV: 'a segmentation fault',
  SIGBUS: 'a bus error',
  SIGABRT: 'an abort',
  SIGFPE: 'a floating-point exception',
  SIGILL: 'an illegal instruction',
  SIGSYS: 'a forbidden system call',
  SIGXFSZ: 'writing a file larger than allowed',
};

const OUTCOMES: readonly string[] = ['passed', 'failed', 'error', 'skipped'];

/** At most this many test results are stored and shown; the verdict still counts them all. */
export const MAX_FEEDBACK_TESTS = 1000;
/** Budget for the test results as stored JSON (UTF-8); the output has its own cap, outputKb. */
export const MAX_FEEDBACK_TEST_BYTES = 256 * 1024;
const MAX_NAME_CHARS = 300;
const MAX_MESSAGE_CHARS = 4200;

// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A string PostgreSQL's jsonb accepts and every client can render: jsonb refuses U+0000 and
 * unpaired surrogates (which a submission can put in its output or, escaped, in result lines).
 */
export function storable(text: string): string {
  return text.replace(NUL, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return `${text.slice(0, end)} [truncated]`;
}

/** The feedback as it may be stored: well-formed strings, bounded test list. */
function bounded(feedback: Feedback): Feedback {
  const tests: TestResult[] = [];
  let bytes = 0;
  for (const test of feedback.tests) {
    const clean: TestResult = {
      name: storable(clip(test.name, MAX_NAME_CHARS)),
      outcome: test.outcome,
      message: storable(clip(test.message, MAX_MESSAGE_CHARS)),
    };
    bytes += Buffer.byteLength(JSON.stringify(clean), 'utf8') + 1;
    if (tests.length >= MAX_FEEDBACK_TESTS || bytes > MAX_FEEDBACK_TEST_BYTES) break;
    tests.push(clean);
  }
  const omitted = feedback.tests.length - tests.length;
  const summary =
    storable(feedback.summary) +
    (omitted > 0 ? ` Only the first ${plural(tests.length, 'test result')} are shown.` : '');
  return { ...feedback, summary, tests, output: storable(feedback.output) };
}

export function parseEvents(stream: Buffer): RunnerEvent[] {
  const events: RunnerEvent[] = [];
  for (const line of stream.toString('utf8').split('\n')) {
    if (!line) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && typeof (value as RunnerEvent).e === 'string') {
        events.push(value as RunnerEvent);
      }
    } catch {
      // A submission may write into its own result stream; garbage only spoils its own result.
    }
  }
  return events;
}

/**
 * What the tests did that the runner cannot serve faithfully with the submission in a separate
 * process (`subclass`: a class of the submission used as a base; `identity`: an assertIs that
 * failed on equal values, one of them a copy that crossed between the processes).
 */
export function splitLimits(events: RunnerEvent[]): string[] {
  const kinds = new Set<string>();
  for (const event of events) {
    if (event.e === 'split_limit' && (event.what === 'subclass' || event.what === 'identity'))
      kinds.add(event.what);
  }
  return [...kinds].sort();
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function howItEnded(end: ZygoteEnd): string {
  if (end.signal !== null) {
    const name = SIGNAL_NAMES.get(end.signal) ?? `signal ${end.signal}`;
    const words = SIGNAL_WORDS[name];
    if (name === 'SIGKILL') return 'was killed (SIGKILL)';
    return words ? `was stopped by ${words} (${name})` : `was stopped by signal ${name}`;
  }
  return `ended with exit code ${end.exitCode ?? 'unknown'}`;
}

function asTest(event: RunnerEvent): TestResult {
  const outcome = OUTCOMES.includes(event.outcome ?? '') ? (event.outcome as TestOutcome) : 'error';
  return {
    name: String(event.name ?? 'unnamed test'),
    outcome,
    message: String(event.message ?? ''),
  };
}

function locationOf(event: RunnerEvent | undefined): CodeLocation | undefined {
  const line = event?.location?.line;
  return typeof line === 'number' ? { line } : undefined;
}

function formatSeconds(seconds: number): string {
  return `${seconds} s`;
}

/**
 * Turns what the sandbox observed into the verdict and the feedback a student reads, bounded and
 * cleaned so that it can always be stored (see bounded()).
 */
export function judge(observed: JobObservation): Judgement {
  const { verdict, feedback } = judgeRaw(observed);
  return { verdict, feedback: bounded(feedback) };
}

function judgeRaw(observed: JobObservation): Judgement {
  const { events, end, limits } = observed;
  if (!events.some((e) => e.e === 'started'))
    throw new NoRunnerStartError('The runner never started.');

  const outputCap = limits.outputKb * 1024;
  const outputTruncated = end.outputBytes > outputCap;
  const output = observed.output.subarray(0, outputCap).toString('utf8');
  const testEvents = events.filter((e) => e.e === 'test');
  const tests = testEvents.map(asTest);
  const firstProblem = testEvents.find((e) => e.outcome === 'failed' || e.outcome === 'error');
  const base = { tests, output, outputTruncated };
  const result = (verdict: Verdict, summary: string, location?: CodeLocation): Judgement => ({
    verdict,
    feedback: location ? { summary, ...base, location } : { summary, ...base },
  });
  const find = (kind: string) => events.find((e) => e.e === kind);

  if (end.killed === 'output' || end.killed === 'result') {
    return result(
      'output_limit',
      `Output limit exceeded: your program printed more than ${limits.outputKb} KB, so it was stopped.`,
    );
  }
  // RLIMIT_CPU ends the process with SIGXCPU, or SIGKILL at the hard limit if it caught SIGXCPU.
  const xcpu = end.signal === constants.signals.SIGXCPU;
  if (xcpu || (end.signal !== null && end.cpuSeconds >= limits.cpuSeconds)) {
    return result(
      'time_limit_cpu',
      `Time limit exceeded: your program used more than ${formatSeconds(limits.cpuSeconds)} of CPU time.`,
    );
  }
  if (end.killed === 'wall') {
    return result(
      'time_limit_wall',
      `Time limit exceeded: your program ran for more than ${formatSeconds(limits.wallSeconds)} of wall-clock time (is it waiting, for example on input() or sleep?).`,
    );
  }

  const syntax = find('syntax_error');
  if (syntax) {
    const line = typeof syntax.line === 'number' ? syntax.line : undefined;
    const column = typeof syntax.column === 'number' ? syntax.column : undefined;
    const where =
      line === undefined
        ? ''
        : column === undefined
          ? ` on line ${line}`
          : ` on line ${line}, column ${column}`;
    return result(
      'syntax_error',
      `Syntax error${where}: ${syntax.message ?? 'invalid syntax'}.`,
      line === undefined ? undefined : { line, column },
    );
  }

  const memory = events.find((e) => e.memory);
  if (memory) {
    return result(
      'memory_limit',
      `Memory limit exceeded: your program tried to use more than ${limits.memoryMb} MB.`,
      locationOf(memory),
    );
  }

  const importError = find('import_error');
  if (importError) {
    if (importError.exit) {
      return result(
        'import_error',
        `Your module called sys.exit(${importError.code === 'None' ? '' : (importError.code ?? '')}) while it was being imported, so no test could run.`,
      );
    }
    const reason = importError.processes
      ? `; more than ${observed.maxProcesses} processes are not allowed`
      : '';
    const detail = importError.detail
      ? ` (${importError.detail.split('\n')[0]}${reason})`
      : reason
        ? ` (${reason.slice(2)})`
        : '';
    const line = locationOf(importError)?.line;
    return result(
      'import_error',
      `Your module raised ${importError.type ?? 'an exception'}${detail}${line ? ` on line ${line}` : ''} while it was being imported, so no test could run.`,
      locationOf(importError),
    );
  }
  const unusable = find('tests_unusable');
  if (unusable) {
    return result(
      'import_error',
      `The tests could not use your module: ${finalLine(unusable.message)}`,
      locationOf(unusable),
    );
  }
  if (!find('imported')) {
    return result(
      'import_error',
      `Your program ${howItEnded(end)} while your module was being imported, so no test could run.`,
    );
  }
  const broken = find('tests_broken');
  if (broken) {
    return result(
      'internal_error',
      'The tests of this assignment are broken; this is not your fault and will be looked at.',
    );
  }

  const done = find('done');
  const failed = tests.filter((t) => t.outcome === 'failed' || t.outcome === 'error').length;
  const hints: string[] = [];
  if (testEvents.some((e) => e.processes))
    hints.push(`your program tried to start more than ${observed.maxProcesses} processes`);
  if (testEvents.some((e) => e.recursion)) hints.push('the recursion went too deep');
  const hint = hints.length ? ` (${hints.join('; ')})` : '';

  if (!done || end.exitCode !== 0) {
    const ran = tests.length ? ` after ${plural(tests.length, 'test')}` : '';
    return result(
      'tests_failed',
      `Your program ${howItEnded(end)}${ran} before the tests finished${hint}.`,
      locationOf(firstProblem),
    );
  }
  if (tests.length === 0) {
    return result(
      'internal_error',
      'The assignment has no tests to run; this is not your fault and will be looked at.',
    );
  }
  // A skipped test proved nothing: a skip is never a pass.
  const skipped = tests.filter((t) => t.outcome === 'skipped').length;
  if (failed === 0 && skipped === 0) {
    return result(
      'passed',
      tests.length === 1 ? 'The test passed.' : `All ${tests.length} tests passed.`,
    );
  }
  if (failed === 0) {
    return result(
      'tests_failed',
      `${skipped} of ${plural(tests.length, 'test')} ${skipped === 1 ? 'was' : 'were'} skipped, and a skipped test is not a pass.`,
    );
  }
  const alsoSkipped = skipped ? `, ${skipped} skipped` : '';
  return result(
    'tests_failed',
    `${failed} of ${plural(tests.length, 'test')} failed${alsoSkipped}${hint}.`,
    locationOf(firstProblem),
  );
}

function finalLine(message: string | undefined): string {
  const lines = (message ?? '').trim().split('\n');
  const last = lines[lines.length - 1] || 'unknown error';
  return last.endsWith('.') ? last : `${last}.`;
}
