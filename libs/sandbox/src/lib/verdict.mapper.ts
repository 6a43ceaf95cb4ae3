import { constants } from 'node:os';
import type {
  AssignmentLimits,
  CodeLocation,
  Feedback,
  ProgramTests,
  TestOutcome,
  TestResult,
  Verdict,
} from '@koodi/contracts';
import { EMPTY_CODE, explain, explained, isEmptyCode, type ExplainContext } from './beginner-words';
import { programTestEvents } from './program.mapper';
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
  /** A run of a program printed more than the output limit (see program.mapper). */
  outputLimit?: boolean;
  /** A run of a program used up its CPU time. */
  cpu?: boolean;
}

export interface JobObservation {
  events: RunnerEvent[];
  output: Buffer;
  end: ZygoteEnd;
  limits: AssignmentLimits;
  maxProcesses: number;
  /** The submission, for the plain-words explanations of common failures. */
  code?: string;
  /** Set for a `program` job: the cases whose expected output the runs are compared with. */
  program?: ProgramTests;
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
      ...(test.location ? { location: test.location } : {}),
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

function asTest(event: RunnerEvent, context: ExplainContext): TestResult {
  const outcome = OUTCOMES.includes(event.outcome ?? '') ? (event.outcome as TestOutcome) : 'error';
  const test: TestResult = {
    name: String(event.name ?? 'unnamed test'),
    outcome,
    message: String(event.message ?? ''),
  };
  if (outcome !== 'failed' && outcome !== 'error') return test;
  const explanation = explain(event, context);
  if (explanation) test.message = explained(explanation, context.code, test.message);
  const line = locationOf(event)?.line ?? explanation?.line;
  if (line) test.location = { line };
  return test;
}

/**
 * Failures first, then skipped, then passed, each in the order they ran; a traceback that repeats
 * one shown already is said once, with a count under the first.
 */
function ordered(tests: TestResult[]): TestResult[] {
  const rank = (t: TestResult) =>
    t.outcome === 'failed' || t.outcome === 'error' ? 0 : t.outcome === 'skipped' ? 1 : 2;
  const sorted = tests
    .map((t, i) => [t, i] as const)
    .sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1])
    .map(([t]) => t);
  const first = new Map<string, { test: TestResult; repeats: number }>();
  for (const test of sorted) {
    if (rank(test) !== 0 || !test.message.includes('Traceback')) continue;
    const seen = first.get(test.message);
    if (!seen) {
      first.set(test.message, { test, repeats: 0 });
      continue;
    }
    seen.repeats++;
    test.message = `The same error as ${seen.test.name} (shown there).`;
  }
  for (const { test, repeats } of first.values()) {
    if (repeats)
      test.message += `\n\n(The same error happened in ${plural(repeats, 'more test')}.)`;
  }
  return sorted;
}

/** The test that had started and not ended: the one running when the job was stopped. */
function runningTest(events: RunnerEvent[]): string | undefined {
  let running: string | undefined;
  for (const event of events) {
    if (event.e === 'test_start') running = String(event.name ?? '');
    else if (
      (event.e === 'test' || event.e === 'case') &&
      running !== undefined &&
      String(event.name ?? '').startsWith(running)
    )
      running = undefined;
  }
  return running || undefined;
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
  const { limits, code } = observed;
  const events = observed.program
    ? programTestEvents(observed.events, observed.program, limits)
    : observed.events;
  if (!events.some((e) => e.e === 'started'))
    throw new NoRunnerStartError('The runner never started.');
  const judgement = judgeEvents(observed, events);
  if (isEmptyCode(code) && judgement.verdict !== 'passed') {
    judgement.feedback.summary = `${EMPTY_CODE} ${judgement.feedback.summary}`;
  }
  return judgement;
}

function judgeEvents(observed: JobObservation, events: RunnerEvent[]): Judgement {
  const { end, limits, code } = observed;

  const outputCap = limits.outputKb * 1024;
  const outputTruncated = end.outputBytes > outputCap;
  const output = observed.output.subarray(0, outputCap).toString('utf8');
  const context: ExplainContext = { code, output };
  const testEvents = events.filter((e) => e.e === 'test');
  const tests = ordered(testEvents.map((e) => asTest(e, context)));
  const firstProblem = testEvents.find((e) => e.outcome === 'failed' || e.outcome === 'error');
  const base = { tests, output, outputTruncated };
  const result = (verdict: Verdict, summary: string, location?: CodeLocation): Judgement => ({
    verdict,
    feedback: location ? { summary, ...base, location } : { summary, ...base },
  });
  const find = (kind: string) => events.find((e) => e.e === kind);
  const running = runningTest(events);
  const during = (name: string | undefined) => (name ? ` The test running then was ${name}.` : '');

  const overOutput = testEvents.find((e) => e.outputLimit);
  if (end.killed === 'output' || end.killed === 'result' || overOutput) {
    return result(
      'output_limit',
      `Output limit exceeded: your program printed more than ${limits.outputKb} KB, so it was stopped.${during(overOutput?.name ?? running)}`,
    );
  }
  const overCpu = testEvents.find((e) => e.cpu);
  if (overCpu) {
    return result(
      'time_limit_cpu',
      `Time limit exceeded: your program used more than ${formatSeconds(limits.cpuSeconds)} of CPU time.${during(overCpu.name)}`,
    );
  }
  // RLIMIT_CPU ends the process with SIGXCPU, or SIGKILL at the hard limit if it caught SIGXCPU.
  const xcpu = end.signal === constants.signals.SIGXCPU;
  // A program's CPU limit is per run (overCpu above): the runs' sum may pass it without any
  // run doing so, and a job killed at the wall clock is then a wall-clock time-out.
  const jobCpu = !observed.program && end.signal !== null && end.cpuSeconds >= limits.cpuSeconds;
  if (xcpu || jobCpu) {
    return result(
      'time_limit_cpu',
      `Time limit exceeded: your program used more than ${formatSeconds(limits.cpuSeconds)} of CPU time.${during(running)}`,
    );
  }
  if (end.killed === 'wall') {
    return result(
      'time_limit_wall',
      `Time limit exceeded: your program ran for more than ${formatSeconds(limits.wallSeconds)} of wall-clock time (is it waiting, for example on input() or sleep?).${during(running)}`,
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
    const plain = explain(syntax, context);
    const said = plain ? ` ${plain.sentence}` : '';
    return result(
      'syntax_error',
      `Syntax error${where}: ${syntax.message ?? 'invalid syntax'}.${said}`,
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
    const plain = explain(importError, context);
    return result(
      'import_error',
      `Your module raised ${importError.type ?? 'an exception'}${detail}${line ? ` on line ${line}` : ''} while it was being imported, so no test could run.${plain ? ` ${plain.sentence}` : ''}`,
      locationOf(importError) ?? (plain?.line ? { line: plain.line } : undefined),
    );
  }
  const unusable = find('tests_unusable');
  if (unusable) {
    const plain = explain(unusable, context);
    return result(
      'import_error',
      // The plain sentence first: the error's own words follow for whoever wants them.
      `${plain ? `${plain.sentence} ` : ''}The tests could not use your module: ${finalLine(unusable.message)}`,
      locationOf(unusable) ?? (plain?.line ? { line: plain.line } : undefined),
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
  // unittest's own count: a test with subtests is one test (the runner lists its failing subtests under it).
  const total = Math.max(typeof done?.testsRun === 'number' ? done.testsRun : 0, tests.length);
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
      `Your program ${howItEnded(end)}${ran} before the tests finished${hint}.${during(running)}`,
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
    return result('passed', total === 1 ? 'The test passed.' : `All ${total} tests passed.`);
  }
  if (failed === 0) {
    return result(
      'tests_failed',
      `${skipped} of ${plural(total, 'test')} ${skipped === 1 ? 'was' : 'were'} skipped, and a skipped test is not a pass.`,
    );
  }
  const alsoSkipped = skipped ? `, ${skipped} skipped` : '';
  const plain = firstProblem ? explain(firstProblem, context) : undefined;
  const location = locationOf(firstProblem) ?? (plain?.line ? { line: plain.line } : undefined);
  return result(
    'tests_failed',
    `${failed} of ${plural(total, 'test')} failed${alsoSkipped}${hint}.${plain ? ` ${plain.sentence}` : ''}`,
    location,
  );
}

function finalLine(message: string | undefined): string {
  const lines = (message ?? '').trim().split('\n');
  const last = lines[lines.length - 1] || 'unknown error';
  return last.endsWith('.') ? last : `${last}.`;
}
