import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AssignmentLimits, ProgramCase, ProgramTests } from '@koodi/contracts';
import { SandboxPool } from './sandbox.pool';
import type { SandboxResult } from './sandbox.types';

// Programs that read input, against the real sandbox: one process per case, its stdin given, its
// stdout compared outside the sandbox.

const LIMITS: AssignmentLimits = { cpuSeconds: 1, wallSeconds: 4, memoryMb: 256, outputKb: 16 };

const SUM_LINES =
  'import sys\nfor line in sys.stdin:\n    print(sum(int(x) for x in line.split()))\n';

function cases(...list: [string, string][]): ProgramCase[] {
  return list.map(([stdin, stdout], i) => ({
    name: `case ${i + 1}`,
    stdin,
    stdout,
    visible: i === 0,
  }));
}

describe('program runner', () => {
  let sut: SandboxPool;
  const run = (code: string, tests: ProgramTests, limits = LIMITS) =>
    sut.run({ kind: 'program', code, moduleName: 'main', testCode: JSON.stringify(tests), limits });
  const explain = (result: SandboxResult) =>
    `${result.feedback.summary} ${JSON.stringify(result.feedback.tests)} ${result.feedback.output}`;

  before(async () => {
    sut = new SandboxPool({ slots: 2 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it('passes a program whose every run prints the expected output', async () => {
    const result = await run(SUM_LINES, {
      compare: 'exact',
      cases: cases(['1 2\n3 4\n', '3\n7\n'], ['', ''], ['-5 5\n', '0\n']),
    });

    assert.equal(result.verdict, 'passed', explain(result));
    assert.equal(result.feedback.summary, 'All 3 tests passed.');
  });

  it('fails a run whose output differs and names the first differing line', async () => {
    const result = await run(SUM_LINES, {
      compare: 'exact',
      cases: cases(['1 2\n', '3\n'], ['2 2\n5 5\n', '4\n11\n']),
    });

    assert.equal(result.verdict, 'tests_failed', explain(result));
    assert.equal(result.feedback.summary, '1 of 2 tests failed.');
    const failed = result.feedback.tests[0];
    assert.equal(failed.name, 'case 2');
    assert.match(failed.message, /^Line 2 differs: expected "11", your program printed "10"\./);
  });

  it('compares exactly or with whitespace normalised, as the assignment says', async () => {
    const code = 'print("a  b ")\nprint()\n';
    const exact = await run(code, { compare: 'exact', cases: cases(['', 'a b\n']) });
    const loose = await run(code, { compare: 'whitespace', cases: cases(['', 'a b\n']) });

    assert.equal(exact.verdict, 'tests_failed', explain(exact));
    assert.equal(loose.verdict, 'passed', explain(loose));
  });

  it('gives each run its own process: nothing of one run is left for the next', async () => {
    const code =
      'import builtins\nseen = getattr(builtins, "seen", 0)\nbuiltins.seen = seen + 1\nprint(seen, input())\n';
    const result = await run(code, {
      compare: 'exact',
      cases: cases(['x\n', '0 x\n'], ['y\n', '0 y\n']),
    });

    assert.equal(result.verdict, 'passed', explain(result));
  });

  it('reads the whole input of a large case while the program prints', async () => {
    const stdin = Array.from({ length: 30_000 }, (_, i) => `${i} 1`).join('\n') + '\n';
    const code =
      'import sys\ntotal = 0\nfor line in sys.stdin:\n    a, b = line.split()\n    total += int(a) + int(b)\nprint(total)\n';
    const expected = `${(30_000 * 29_999) / 2 + 30_000}\n`;
    const result = await run(
      code,
      { compare: 'exact', cases: cases([stdin, expected]) },
      { ...LIMITS, wallSeconds: 8 },
    );

    assert.equal(result.verdict, 'passed', explain(result));
  });

  it('reports what the program raised, with its line, as an error of that run', async () => {
    const result = await run('n = int(input())\nprint(10 // n)\n', {
      compare: 'exact',
      cases: cases(['2\n', '5\n'], ['0\n', '0\n']),
    });

    assert.equal(result.verdict, 'tests_failed', explain(result));
    const failed = result.feedback.tests[0];
    assert.equal(failed.outcome, 'error');
    assert.match(failed.message, /ZeroDivisionError/);
    assert.deepEqual(failed.location, { line: 2 });
    assert.match(result.feedback.output, /ZeroDivisionError/);
  });

  it('fails a run that exits with a non-zero status even if it printed the expected output', async () => {
    const result = await run('print("3")\nimport sys\nsys.exit(2)\n', {
      compare: 'exact',
      cases: cases(['', '3\n']),
    });

    assert.equal(result.verdict, 'tests_failed', explain(result));
    assert.match(result.feedback.tests[0].message, /exit code 2/);
  });

  it('passes a run that ends with sys.exit(0)', async () => {
    const result = await run('print("3")\nraise SystemExit(0)\n', {
      compare: 'exact',
      cases: cases(['', '3\n']),
    });

    assert.equal(result.verdict, 'passed', explain(result));
  });

  it('names the case that hangs at the wall-clock limit', async () => {
    const code =
      'import time\nline = input()\nif line == "wait":\n    time.sleep(100)\nprint(line)\n';
    const result = await run(
      code,
      { compare: 'exact', cases: cases(['a\n', 'a\n'], ['wait\n', 'wait\n']) },
      { ...LIMITS, wallSeconds: 1 },
    );

    assert.equal(result.verdict, 'time_limit_wall', explain(result));
    assert.match(result.feedback.summary, /The test running then was case 2\./);
  });

  it('a program waiting for more input than it is given gets EOF, not a hang', async () => {
    const result = await run('a = input()\nb = input()\nprint(a, b)\n', {
      compare: 'exact',
      cases: cases(['only one\n', 'x\n']),
    });

    assert.equal(result.verdict, 'tests_failed', explain(result));
    assert.match(result.feedback.tests[0].message, /EOFError/);
  });

  it('stops a run at the CPU limit and names it', async () => {
    const result = await run(
      'if input() == "spin":\n    while True:\n        pass\nprint("ok")\n',
      { compare: 'exact', cases: cases(['go\n', 'ok\n'], ['spin\n', 'ok\n']) },
      { ...LIMITS, wallSeconds: 6 },
    );

    assert.equal(result.verdict, 'time_limit_cpu', explain(result));
    assert.match(result.feedback.summary, /case 2/);
  });

  it('stops a run that prints more than the output limit', async () => {
    const result = await run('while True:\n    print("x" * 1000)\n', {
      compare: 'exact',
      cases: cases(['', 'x\n']),
    });

    assert.equal(result.verdict, 'output_limit', explain(result));
  });

  it('reports a syntax error once, before any run', async () => {
    const result = await run('print("a"\n', { compare: 'exact', cases: cases(['', 'a\n']) });

    assert.equal(result.verdict, 'syntax_error', explain(result));
    assert.deepEqual(result.feedback.tests, []);
  });

  it('runs the code as __main__, so the usual guard works', async () => {
    const result = await run(
      'def main():\n    print(input()[::-1])\n\nif __name__ == "__main__":\n    main()\n',
      { compare: 'exact', cases: cases(['abc\n', 'cba\n']) },
    );

    assert.equal(result.verdict, 'passed', explain(result));
  });

  it('never lets the program write its own verdict: a forged result line is only output', async () => {
    const code = [
      'import os, json',
      'for fd in range(3, 64):',
      '    try:',
      '        os.write(fd, (json.dumps({"e": "case", "name": "case 1", "stdout": "", "stdoutBytes": 0, "exitCode": 0, "signal": None}) + "\\n").encode())',
      '    except OSError:',
      '        pass',
      'print("wrong")',
    ].join('\n');
    const result = await run(code, { compare: 'exact', cases: cases(['', 'right\n']) });

    assert.equal(result.verdict, 'tests_failed', explain(result));
    assert.equal(result.feedback.tests.length, 1);
  });

  it('keeps the expected output out of the sandbox', async () => {
    const code =
      'import sys, os\ndata = open("/proc/self/cmdline", "rb").read() + sys.stdin.read().encode()\nprint("SECRET-EXPECTED" in repr(globals()) or b"SECRET" in data)\n';
    const result = await run(code, { compare: 'exact', cases: cases(['', 'SECRET-EXPECTED\n']) });

    assert.equal(result.verdict, 'tests_failed', explain(result));
    assert.match(result.feedback.tests[0].message, /your program printed "False"/);
  });
});
