/** What a student writes for an assignment: functions the tests import, or a whole program. */
export const ASSIGNMENT_KINDS = ['function', 'program'] as const;
export type AssignmentKind = (typeof ASSIGNMENT_KINDS)[number];

/** How a program's output meets the expected output (always compared outside the program). */
export const OUTPUT_COMPARISONS = ['exact', 'whitespace'] as const;
export type OutputComparison = (typeof OUTPUT_COMPARISONS)[number];

/** One run of a program: what it reads on stdin and what it must print on stdout. */
export interface ProgramCase {
  name: string;
  stdin: string;
  stdout: string;
  /** Shown to the student as a sample. */
  visible: boolean;
  /**
   * A Run's own stdin: nothing to compare with; the case's test carries what the program printed
   * as its message. Never in content (cases.yaml has no such field).
   */
  shownOnly?: boolean;
}

/**
 * The tests of a `program` assignment, stored as JSON in the test_code column (every case) and
 * the sample_test_code column (the visible cases only).
 */
export interface ProgramTests {
  compare: OutputComparison;
  cases: ProgramCase[];
}

/** Most cases one program assignment may have: each case is a process of its own. */
export const MAX_PROGRAM_CASES = 50;

/** Parses stored program tests; throws a TypeError naming the first thing wrong. */
export function parseProgramTests(text: string): ProgramTests {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError('program tests are not JSON');
  }
  const tests = value as Partial<ProgramTests> | null;
  if (!tests || typeof tests !== 'object') throw new TypeError('program tests must be an object');
  if (!OUTPUT_COMPARISONS.includes(tests.compare as OutputComparison)) {
    throw new TypeError(`compare must be one of ${OUTPUT_COMPARISONS.join(', ')}`);
  }
  if (!Array.isArray(tests.cases) || tests.cases.length > MAX_PROGRAM_CASES) {
    throw new TypeError(`cases must be a list of at most ${MAX_PROGRAM_CASES}`);
  }
  const cases = tests.cases.map((c: Partial<ProgramCase>, i): ProgramCase => {
    if (
      !c ||
      typeof c.name !== 'string' ||
      !c.name ||
      typeof c.stdin !== 'string' ||
      typeof c.stdout !== 'string'
    ) {
      throw new TypeError(`case ${i + 1} needs a name, stdin and stdout (strings)`);
    }
    return {
      name: c.name,
      stdin: c.stdin,
      stdout: c.stdout,
      visible: c.visible === true,
      ...(c.shownOnly === true ? { shownOnly: true } : {}),
    };
  });
  return { compare: tests.compare as OutputComparison, cases };
}

/**
 * Whether a program printed what was expected. `whitespace` compares line by line with runs of
 * spaces and tabs taken as one, ends of lines trimmed and blank lines at the end ignored.
 */
export function outputMatches(
  compare: OutputComparison,
  expected: string,
  actual: string,
): boolean {
  return compare === 'exact' ? expected === actual : normalised(expected) === normalised(actual);
}

function normalised(text: string): string {
  const lines = text.split(/\r?\n/).map((line) => line.trim().replace(/[ \t\f\v]+/g, ' '));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
