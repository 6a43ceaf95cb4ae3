import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, outputMatches, type ProgramTests } from '@koodi/contracts';
import { difference, programTestEvents } from './program.mapper';
import { judge, type RunnerEvent } from './verdict.mapper';
import { CLEAN_EXIT } from './zygote-end.mock';

const TESTS: ProgramTests = {
  compare: 'exact',
  cases: [
    { name: 'a', stdin: '1\n', stdout: '2\n', visible: true },
    { name: 'b', stdin: '2\n', stdout: '4\n', visible: false },
  ],
};
const b64 = (text: string) => Buffer.from(text).toString('base64');
const run = (name: string, stdout: string, extra: Record<string, unknown> = {}): RunnerEvent =>
  ({
    e: 'case',
    name,
    stdout: b64(stdout),
    stdoutBytes: stdout.length,
    exitCode: 0,
    signal: null,
    cpuSeconds: 0.01,
    ...extra,
  }) as RunnerEvent;

describe(programTestEvents.name, () => {
  const sut = (events: RunnerEvent[], tests = TESTS) =>
    programTestEvents(events, tests, DEFAULT_LIMITS);

  it('compares each run with its case, in order, and leaves other events alone', () => {
    const events = sut([
      { e: 'started' },
      run('a', '2\n'),
      run('b', '5\n'),
      { e: 'done', testsRun: 2 },
    ]);

    assert.deepEqual(
      events.map((e) => [e.e, e.name, e.outcome]),
      [
        ['started', undefined, undefined],
        ['test', 'a', 'passed'],
        ['test', 'b', 'failed'],
        ['done', undefined, undefined],
      ],
    );
  });

  it('fails a run that ended badly even when it printed the expected output', () => {
    const [event] = sut([
      run('a', '2\n', {
        exitCode: 1,
        error: {
          e: 'error',
          type: 'ValueError',
          message: 'Traceback…\nValueError: x',
          location: { line: 3 },
        },
      }),
    ]);

    assert.equal(event.outcome, 'error');
    assert.match(
      event.message ?? '',
      /^Traceback…\nValueError: x\n\nBefore that, your program printed:\n2\n/,
    );
    assert.deepEqual(event.location, { line: 3 });
  });

  it('marks the CPU and output limits so the verdict says them', () => {
    const [cpu, output] = sut([
      run('a', '', { signal: 24, exitCode: null }),
      run('b', 'x', { outputLimit: true }),
    ]);

    assert.equal(cpu.cpu, true);
    assert.equal(output.outputLimit, true);
  });

  it('never passes a run the assignment has no case for', () => {
    const [, , extra] = sut([run('a', '2\n'), run('b', '4\n'), run('c', '')]);

    assert.equal(extra.outcome, 'error');
  });

  it('answers what a shown-only run (a Run on custom stdin) printed, compared with nothing', () => {
    const tests: ProgramTests = {
      compare: 'exact',
      cases: [{ name: 'Your input', stdin: 'x\n', stdout: '', visible: true, shownOnly: true }],
    };

    const [shown] = sut([run('Your input', 'anything\n')], tests);
    const [crashed] = sut([run('Your input', '', { exitCode: 1 })], tests);

    assert.equal(shown.outcome, 'passed');
    assert.equal(shown.message, 'anything\n');
    assert.equal(crashed.outcome, 'error');
  });

  it('judges the runs into the usual verdicts and counts', () => {
    const observe = (events: RunnerEvent[]) => ({
      events: [{ e: 'started' }, { e: 'imported' }, ...events, { e: 'done', testsRun: 2 }],
      output: Buffer.alloc(0),
      end: CLEAN_EXIT,
      limits: DEFAULT_LIMITS,
      maxProcesses: 8,
      program: TESTS,
    });

    assert.equal(judge(observe([run('a', '2\n'), run('b', '4\n')])).verdict, 'passed');
    const failed = judge(observe([run('a', '2\n'), run('b', '4')]));
    assert.equal(failed.verdict, 'tests_failed');
    assert.equal(failed.feedback.summary, '1 of 2 tests failed.');
    assert.equal(failed.feedback.tests[0].name, 'b');
    assert.equal(
      judge(observe([run('a', '', { signal: 24, exitCode: null }), run('b', '4\n')])).verdict,
      'time_limit_cpu',
    );
    assert.equal(
      judge(observe([run('a', 'x', { outputLimit: true }), run('b', '4\n')])).verdict,
      'output_limit',
    );
    const slowRuns = {
      ...observe([run('a', '2\n', { cpuSeconds: 1.5 }), run('b', '4\n', { cpuSeconds: 1.5 })]),
      end: { ...CLEAN_EXIT, signal: 9, exitCode: null, killed: 'wall' as const, cpuSeconds: 3 },
    };
    assert.equal(judge(slowRuns).verdict, 'time_limit_wall');
  });
});

describe(outputMatches.name, () => {
  const table: [string, string, boolean, boolean][] = [
    // expected, printed, exact, whitespace
    ['3\n', '3\n', true, true],
    ['3\n', '3', false, true],
    ['a b\n', 'a  b \n', false, true],
    ['a b\n', ' a\tb\n\n\n', false, true],
    ['a\nb\n', 'a b\n', false, false],
    ['a\n\nb\n', 'a\nb\n', false, false],
    ['3\r\n', '3\n', false, true],
    ['', '', true, true],
    ['', '\n', false, true],
    ['x\n', 'X\n', false, false],
  ];
  for (const [expected, printed, exact, whitespace] of table) {
    it(`${JSON.stringify(expected)} against ${JSON.stringify(printed)}`, () => {
      assert.equal(outputMatches('exact', expected, printed), exact);
      assert.equal(outputMatches('whitespace', expected, printed), whitespace);
    });
  }
});

describe(difference.name, () => {
  it('names the first line that differs and shows both outputs', () => {
    assert.equal(
      difference('1\n2\n3\n', '1\n5\n3\n', 'exact'),
      'Line 2 differs: expected "2", your program printed "5".\n\nExpected output:\n1\n2\n3\n\n\nYour program printed:\n1\n5\n3\n',
    );
  });

  it('says when the output ended early', () => {
    assert.match(
      difference('1\n2\n', '1\n', 'exact'),
      /^Line 2 differs: expected "2", your program printed ""\./,
    );
    assert.match(
      difference('1\n2', '1', 'exact'),
      /^Line 2 differs: expected "2", your program printed nothing \(the output ended\)\./,
    );
  });

  it('says when only trailing whitespace differs under exact comparison', () => {
    assert.match(difference('3\n', '3 \n', 'exact'), /Only the whitespace at the end differs/);
  });
});
