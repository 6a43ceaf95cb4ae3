import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '@koodi/contracts';
import {
  MAX_FEEDBACK_TESTS,
  MAX_FEEDBACK_TEST_BYTES,
  NoRunnerStartError,
  judge,
  parseEvents,
  splitLimits,
  storable,
  type JobObservation,
  type RunnerEvent,
} from './verdict.mapper';
import { CLEAN_EXIT } from './zygote-end.mock';
import type { ZygoteEnd } from './zygote-protocol';

function observe(events: RunnerEvent[], end: Partial<ZygoteEnd> = {}, output = ''): JobObservation {
  return {
    events,
    output: Buffer.from(output),
    end: { ...CLEAN_EXIT, ...end },
    limits: DEFAULT_LIMITS,
    maxProcesses: 16,
  };
}

const STARTED: RunnerEvent[] = [{ e: 'started' }, { e: 'importing' }, { e: 'imported' }];
const pass = (name: string): RunnerEvent => ({ e: 'test', name, outcome: 'passed', message: '' });
const fail = (name: string): RunnerEvent => ({
  e: 'test',
  name,
  outcome: 'failed',
  message: "'a' != 'b'",
});

describe(judge.name, () => {
  it('passes when every test passed and the run finished cleanly', () => {
    const sut = judge(observe([...STARTED, pass('T.a'), pass('T.b'), { e: 'done', testsRun: 2 }]));

    assert.equal(sut.verdict, 'passed');
    assert.equal(sut.feedback.summary, 'All 2 tests passed.');
  });

  it('never passes without the done event, even if every reported test passed', () => {
    const sut = judge(observe([...STARTED, pass('T.a')], { exitCode: 0 }));

    assert.equal(sut.verdict, 'tests_failed');
    assert.match(sut.feedback.summary, /before the tests finished/);
  });

  it('never passes when the process did not exit cleanly after done', () => {
    const sut = judge(
      observe([...STARTED, pass('T.a'), { e: 'done', testsRun: 1 }], { exitCode: 3 }),
    );

    assert.equal(sut.verdict, 'tests_failed');
  });

  it('never passes when a test was skipped (case 56)', () => {
    const skip: RunnerEvent = { e: 'test', name: 'T.b', outcome: 'skipped', message: '' };
    const sut = judge(observe([...STARTED, pass('T.a'), skip, { e: 'done', testsRun: 2 }]));

    assert.equal(sut.verdict, 'tests_failed');
    assert.equal(
      sut.feedback.summary,
      '1 of 2 tests was skipped, and a skipped test is not a pass.',
    );
  });

  it('counts skipped tests beside failed ones', () => {
    const skip: RunnerEvent = { e: 'test', name: 'T.c', outcome: 'skipped', message: '' };
    const sut = judge(
      observe([...STARTED, pass('T.a'), fail('T.b'), skip, { e: 'done', testsRun: 3 }]),
    );

    assert.equal(sut.verdict, 'tests_failed');
    assert.equal(sut.feedback.summary, '1 of 3 tests failed, 1 skipped.');
  });

  it('counts failed tests', () => {
    const sut = judge(
      observe([...STARTED, pass('T.a'), fail('T.b'), fail('T.c'), { e: 'done', testsRun: 3 }]),
    );

    assert.equal(sut.verdict, 'tests_failed');
    assert.equal(sut.feedback.summary, '2 of 3 tests failed.');
  });

  it('puts the output limit before everything else', () => {
    const sut = judge(
      observe(
        [...STARTED, pass('T.a'), { e: 'done' }],
        { killed: 'output', outputBytes: 70000 },
        'x'.repeat(65536),
      ),
    );

    assert.equal(sut.verdict, 'output_limit');
    assert.equal(sut.feedback.outputTruncated, true);
  });

  it('tells CPU from wall-clock time limits', () => {
    assert.equal(
      judge(observe(STARTED, { signal: 24, exitCode: null, cpuSeconds: 2.0 })).verdict,
      'time_limit_cpu',
    );
    assert.equal(
      judge(observe(STARTED, { signal: 9, exitCode: null, killed: 'wall', cpuSeconds: 0.1 }))
        .verdict,
      'time_limit_wall',
    );
  });

  it('does not call a run that finished cleanly a CPU time-out', () => {
    const sut = judge(
      observe([...STARTED, pass('T.a'), { e: 'done', testsRun: 1 }], { cpuSeconds: 2.4 }),
    );

    assert.equal(sut.verdict, 'passed');
  });

  it('reports syntax errors with line and column', () => {
    const sut = judge(
      observe([
        { e: 'started' },
        { e: 'syntax_error', message: 'invalid syntax', line: 3, column: 7 },
      ]),
    );

    assert.equal(sut.verdict, 'syntax_error');
    assert.equal(sut.feedback.summary, 'Syntax error on line 3, column 7: invalid syntax.');
    assert.deepEqual(sut.feedback.location, { line: 3, column: 7 });
  });

  it('treats a MemoryError anywhere as the memory limit', () => {
    const sut = judge(
      observe([
        ...STARTED,
        { e: 'test', name: 'T.a', outcome: 'error', message: 'MemoryError', memory: true },
        { e: 'done' },
      ]),
    );

    assert.equal(sut.verdict, 'memory_limit');
  });

  it('treats an exit during import as an import error', () => {
    const sut = judge(observe([{ e: 'started' }, { e: 'importing' }], { exitCode: 0 }));

    assert.equal(sut.verdict, 'import_error');
  });

  it('blames the tests, not the student, when the test file is broken', () => {
    const sut = judge(
      observe([...STARTED, { e: 'tests_broken', message: 'tests.py: invalid syntax (line 2)' }]),
    );

    assert.equal(sut.verdict, 'internal_error');
  });

  it('refuses to judge a run whose runner never started', () => {
    assert.throws(() => judge(observe([], { exitCode: 70 })), NoRunnerStartError);
  });

  it('ignores garbage lines a submission wrote into the result stream', () => {
    const events = parseEvents(Buffer.from('{"e":"started"}\nnot json\n{"e":"imported"}\n[1,2]\n'));

    assert.deepEqual(
      events.map((e) => e.e),
      ['started', 'imported'],
    );
  });

  it('names the test that was running when the wall-clock limit hit', () => {
    const events: RunnerEvent[] = [
      ...STARTED,
      { e: 'test_start', name: 'T.a' },
      pass('T.a'),
      { e: 'test_start', name: 'T.b' },
    ];
    const sut = judge(observe(events, { signal: 9, exitCode: null, killed: 'wall' }));

    assert.equal(sut.verdict, 'time_limit_wall');
    assert.match(
      sut.feedback.summary,
      /of wall-clock time \(is it waiting, for example on input\(\) or sleep\?\)\. The test running then was T\.b\.$/,
    );
  });

  it('names no test when none was running', () => {
    const events: RunnerEvent[] = [...STARTED, { e: 'test_start', name: 'T.a' }, pass('T.a')];
    const sut = judge(observe(events, { signal: 9, exitCode: null, killed: 'wall' }));

    assert.doesNotMatch(sut.feedback.summary, /running then/);
  });

  it('counts as the runner counted: the done event, not the results listed', () => {
    const sut = judge(observe([...STARTED, pass('T.a'), fail('T.b'), { e: 'done', testsRun: 6 }]));

    assert.equal(sut.feedback.summary, '1 of 6 tests failed.');
  });

  it('lists failures first, then skipped tests, then passed ones, each in the order they ran', () => {
    const skip: RunnerEvent = { e: 'test', name: 'T.s', outcome: 'skipped', message: 'later' };
    const sut = judge(
      observe([
        ...STARTED,
        pass('T.a'),
        skip,
        fail('T.b'),
        pass('T.c'),
        fail('T.d'),
        { e: 'done', testsRun: 5 },
      ]),
    );

    assert.deepEqual(
      sut.feedback.tests.map((t) => t.name),
      ['T.b', 'T.d', 'T.s', 'T.a', 'T.c'],
    );
  });

  it('says an identical traceback once, with a count', () => {
    const traceback =
      'Traceback (most recent call last):\n  File "m.py", line 2, in f\nZeroDivisionError: division by zero';
    const crash = (name: string): RunnerEvent => ({
      e: 'test',
      name,
      outcome: 'error',
      message: traceback,
      location: { line: 2 },
    });
    const sut = judge(
      observe([
        ...STARTED,
        crash('T.a'),
        crash('T.b'),
        crash('T.c'),
        fail('T.d'),
        { e: 'done', testsRun: 4 },
      ]),
    );
    const [a, b, c, d] = sut.feedback.tests;

    assert.equal(a.message, `${traceback}\n\n(The same error happened in 2 more tests.)`);
    assert.equal(b.message, 'The same error as T.a (shown there).');
    assert.equal(c.message, 'The same error as T.a (shown there).');
    assert.equal(d.message, "'a' != 'b'");
    assert.deepEqual(b.location, { line: 2 });
  });

  describe('feedback the database can store (cases 40 and 41)', () => {
    const wellFormed = (text: string) =>
      !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

    it('case 40: replaces NUL and lone surrogates everywhere, keeping real pairs', () => {
      const events: RunnerEvent[] = [
        ...STARTED,
        {
          e: 'test',
          name: 'T.a\u0000',
          outcome: 'failed',
          message: 'bad \ud800 and \udfff, good \ud83d\ude00, nul \u0000',
        },
        { e: 'done', testsRun: 1 },
      ];
      const sut = judge(observe(events, {}, 'out\u0000put'));
      const json = JSON.stringify(sut.feedback);

      assert.equal(json.includes('\\u0000'), false);
      assert.ok(wellFormed(sut.feedback.tests[0].message));
      assert.equal(
        sut.feedback.tests[0].message,
        'bad \ufffd and \ufffd, good \ud83d\ude00, nul \ufffd',
      );
      assert.equal(sut.feedback.tests[0].name, 'T.a\ufffd');
      assert.equal(sut.feedback.output, 'out\ufffdput');
    });

    it('case 40: cleans a syntax error message that reaches the summary', () => {
      const sut = judge(
        observe([
          { e: 'started' },
          { e: 'syntax_error', message: 'bad \ud800\u0000', line: 1, column: 1 },
        ]),
      );
      assert.ok(wellFormed(sut.feedback.summary));
      assert.equal(sut.feedback.summary.includes('\u0000'), false);
    });

    it('storable() leaves ordinary text alone', () => {
      assert.equal(storable('Hyvää päivää 👋'), 'Hyvää päivää 👋');
    });

    it(`case 41: keeps at most ${MAX_FEEDBACK_TESTS} tests while the verdict counts them all`, () => {
      const forged: RunnerEvent[] = Array.from({ length: 80_000 }, () => ({ e: 'test' }));
      const sut = judge(observe([...STARTED, ...forged, { e: 'done', testsRun: 80_000 }]));

      assert.equal(sut.verdict, 'tests_failed');
      assert.equal(sut.feedback.tests.length, MAX_FEEDBACK_TESTS);
      assert.match(sut.feedback.summary, /80000 tests failed/);
      assert.match(sut.feedback.summary, /Only the first 1000 test results are shown/);
    });

    it(`case 41: keeps the test results within ${MAX_FEEDBACK_TEST_BYTES} bytes`, () => {
      const long = Array.from({ length: 500 }, (_, i) => fail(`T.t${i}`)).map((e) => ({
        ...e,
        message: 'm'.repeat(100_000),
      }));
      const sut = judge(observe([...STARTED, ...long, { e: 'done', testsRun: 500 }]));
      const bytes = Buffer.byteLength(JSON.stringify(sut.feedback.tests));

      assert.ok(bytes <= MAX_FEEDBACK_TEST_BYTES, `${bytes} bytes`);
      assert.ok(sut.feedback.tests.length > 10);
      assert.ok(sut.feedback.tests[0].message.endsWith('[truncated]'));
      assert.match(sut.feedback.summary, /^500 of 500 tests failed/);
    });
  });
});

describe(splitLimits.name, () => {
  it('names each known limit once and ignores anything else', () => {
    const events: RunnerEvent[] = [
      { e: 'split_limit', what: 'subclass' },
      { e: 'split_limit', what: 'identity' },
      { e: 'split_limit', what: 'subclass' },
      { e: 'split_limit', what: 'made up' },
      { e: 'test', what: 'identity' },
    ];

    assert.deepEqual(splitLimits(events), ['identity', 'subclass']);
    assert.deepEqual(splitLimits([]), []);
  });
});
