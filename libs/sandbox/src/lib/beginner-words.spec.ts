import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '@koodi/contracts';
import { EMPTY_CODE, explain, isEmptyCode } from './beginner-words';
import { judge, type RunnerEvent } from './verdict.mapper';
import { CLEAN_EXIT } from './zygote-end.mock';

const STARTED: RunnerEvent[] = [{ e: 'started' }, { e: 'importing' }, { e: 'imported' }];

interface Case {
  name: string;
  code: string;
  event: RunnerEvent;
  output?: string;
  sentence: RegExp | undefined;
  line?: number;
}

// One row per common failure: the event the runner reports, the code, and what the student reads.
const CASES: Case[] = [
  {
    name: 'no function of the expected name (tests import it)',
    code: 'def total(numbers):\n    return 0\n',
    event: {
      e: 'tests_unusable',
      type: 'ImportError',
      message: "ImportError: cannot import name 'sum' from 'sum' (sum.py)",
    },
    sentence:
      /^Your code has no function named `sum`\. Check the spelling and that it is not indented inside another function\.$/,
  },
  {
    name: 'no function of the expected name (an attribute of the module), a near spelling',
    code: 'def summ(a, b):\n    return a + b\n',
    event: {
      e: 'test',
      outcome: 'error',
      type: 'AttributeError',
      detail: "module 'sum' has no attribute 'sum'",
      message: "AttributeError: module 'sum' has no attribute 'sum'",
    },
    sentence:
      /^Your code has no function named `sum` \(it has one named `summ`\)\. Check the spelling/,
    line: 1,
  },
  {
    name: 'the function is indented inside another one',
    code: 'def helper():\n    def sum(a, b):\n        return a + b\n',
    event: {
      e: 'tests_unusable',
      type: 'ImportError',
      message: "ImportError: cannot import name 'sum' from 'sum' (sum.py)",
    },
    sentence: /^Your function `sum` on line 2 is indented, so it sits inside another block/,
    line: 2,
  },
  {
    name: 'no class of the expected name',
    code: 'class stack:\n    pass\n',
    event: {
      e: 'tests_unusable',
      type: 'ImportError',
      message: "ImportError: cannot import name 'Stack' from 'stack' (stack.py)",
    },
    sentence: /^Your code has no class named `Stack` \(it has one named `stack`\)\./,
    line: 1,
  },
  {
    name: 'a function with too few parameters',
    code: 'def sum(a):\n    return a\n',
    event: {
      e: 'test',
      outcome: 'error',
      type: 'TypeError',
      detail: 'sum() takes 1 positional argument but 2 were given',
    },
    sentence:
      /^Your function `sum` is defined with 1 parameter, but the tests call it with 2 arguments\. Check the parameters in its `def` line\.$/,
    line: 1,
  },
  {
    name: 'a function with too many parameters',
    code: '\ndef greet(first, last):\n    return first\n',
    event: {
      e: 'test',
      outcome: 'error',
      type: 'TypeError',
      detail: "greet() missing 1 required positional argument: 'last'",
    },
    sentence:
      /^The tests call `greet` with fewer arguments than its `def` line asks for \(1 missing\)\./,
    line: 2,
  },
  {
    name: 'IndentationError: a block not indented',
    code: 'def f():\nreturn 1\n',
    event: {
      e: 'syntax_error',
      type: 'IndentationError',
      message: 'expected an indented block after function definition on line 1',
      line: 2,
      column: 1,
    },
    sentence: /^Line 2 should be indented: the line above it ends with `:`/,
    line: 2,
  },
  {
    name: 'IndentationError: an unexpected indent',
    code: 'x = 1\n    y = 2\n',
    event: {
      e: 'syntax_error',
      type: 'IndentationError',
      message: 'unexpected indent',
      line: 2,
      column: 5,
    },
    sentence: /^Line 2 is indented, but nothing above it opens a block\./,
    line: 2,
  },
  {
    name: 'IndentationError: an unindent that lines up with nothing',
    code: 'if x:\n    a = 1\n  b = 2\n',
    event: {
      e: 'syntax_error',
      type: 'IndentationError',
      message: 'unindent does not match any outer indentation level',
      line: 3,
      column: 3,
    },
    sentence: /^Line 3 does not line up with any line above it\./,
    line: 3,
  },
  {
    name: 'TabError',
    code: 'if x:\n\ta = 1\n        b = 2\n',
    event: {
      e: 'syntax_error',
      type: 'TabError',
      message: 'inconsistent use of tabs and spaces in indentation',
      line: 3,
      column: 9,
    },
    sentence: /^Line 3 mixes tabs and spaces in its indentation\. Indent with spaces only/,
    line: 3,
  },
  {
    name: 'a NameError that is a likely typo',
    code: 'def total(numbers):\n    result = 0\n    for n in numbers:\n        reslt += n\n    return result\n',
    event: {
      e: 'test',
      outcome: 'error',
      type: 'NameError',
      detail: "name 'reslt' is not defined",
      location: { line: 4 },
    },
    sentence: /^`reslt` on line 4 is not defined\. Did you mean `result`\?$/,
    line: 4,
  },
  {
    name: 'a NameError of a misspelt builtin',
    code: 'def hello():\n    retrun "Hello"\n',
    event: {
      e: 'import_error',
      type: 'NameError',
      detail: "name 'pritn' is not defined",
      location: { line: 2 },
    },
    sentence: /^`pritn` on line 2 is not defined\. Did you mean `print`\?$/,
    line: 2,
  },
  {
    name: 'a NameError with nothing close',
    code: 'def f():\n    return zebra\n',
    event: {
      e: 'test',
      outcome: 'error',
      type: 'NameError',
      detail: "name 'zebra' is not defined",
      location: { line: 2 },
    },
    sentence: /^`zebra` on line 2 is not defined: Python does not know this name\./,
    line: 2,
  },
  {
    name: 'print instead of return',
    code: 'def sum(a, b):\n    print(a + b)\n',
    event: { e: 'test', outcome: 'failed', message: 'None != 3' },
    output: '3\n',
    sentence:
      /^Your function gave back `None`, but your output shows `3`: it prints the answer instead of returning it\. Use `return`/,
  },
  {
    name: 'print instead of return, a string',
    code: 'def hello():\n    print("Hello")\n',
    event: { e: 'test', outcome: 'failed', message: "None != 'Hello'" },
    output: 'Hello\n',
    sentence: /your output shows `Hello`/,
  },
  {
    name: 'None that was not printed is not called a print',
    code: 'def sum(a, b):\n    pass\n',
    event: { e: 'test', outcome: 'failed', message: 'None != 3' },
    output: '',
    sentence: undefined,
  },
  {
    name: 'infinite recursion',
    code: 'def fact(n):\n    return n * fact(n - 1)\n',
    event: {
      e: 'test',
      outcome: 'error',
      type: 'RecursionError',
      recursion: true,
      location: { line: 2 },
    },
    sentence:
      /^Your function kept calling itself until Python stopped it \(RecursionError\) on line 2\. Check that it has a base case/,
    line: 2,
  },
  {
    name: 'an ordinary failed assertion is left as it is',
    code: 'def sum(a, b):\n    return a - b\n',
    event: { e: 'test', outcome: 'failed', message: '-1 != 3' },
    sentence: undefined,
  },
];

describe(explain.name, () => {
  for (const c of CASES) {
    it(c.name, () => {
      const sut = explain(c.event, { code: c.code, output: c.output });

      if (c.sentence === undefined) {
        assert.equal(sut, undefined);
        return;
      }
      assert.ok(sut, 'an explanation');
      assert.match(sut.sentence, c.sentence);
      assert.equal(sut.line, c.line);
    });
  }
});

describe('plain words in the feedback', () => {
  const observe = (events: RunnerEvent[], code: string, output = '') => ({
    events,
    output: Buffer.from(output),
    end: CLEAN_EXIT,
    limits: DEFAULT_LIMITS,
    maxProcesses: 8,
    code,
  });

  it('puts the sentence and the student line before the traceback of a test', () => {
    const traceback =
      'Traceback (most recent call last):\n  File "sum.py", line 4\nNameError: name \'reslt\' is not defined';
    const code = CASES[10].code;
    const sut = judge(
      observe(
        [
          ...STARTED,
          { ...CASES[10].event, name: 'T.test_a', message: traceback },
          { e: 'done', testsRun: 1 },
        ],
        code,
      ),
    );

    assert.equal(
      sut.feedback.tests[0].message,
      `\`reslt\` on line 4 is not defined. Did you mean \`result\`?\n\nLine 4: reslt += n\n\n${traceback}`,
    );
    assert.deepEqual(sut.feedback.tests[0].location, { line: 4 });
    assert.equal(
      sut.feedback.summary,
      '1 of 1 test failed. `reslt` on line 4 is not defined. Did you mean `result`?',
    );
  });

  it('adds the sentence to an indentation error', () => {
    const sut = judge(observe([{ e: 'started' }, CASES[7].event], CASES[7].code));

    assert.equal(sut.verdict, 'syntax_error');
    assert.match(
      sut.feedback.summary,
      /^Syntax error on line 2, column 5: unexpected indent\. Line 2 is indented, but nothing above it opens a block\./,
    );
  });

  it('says so first when the code is empty', () => {
    const events: RunnerEvent[] = [
      ...STARTED,
      {
        e: 'test',
        name: 'T.test_a',
        outcome: 'error',
        type: 'AttributeError',
        detail: "module 'sum' has no attribute 'sum'",
      },
      { e: 'done', testsRun: 1 },
    ];
    const sut = judge(observe(events, '# write your code here\n\n'));

    assert.ok(
      sut.feedback.summary.startsWith(`${EMPTY_CODE} 1 of 1 test failed.`),
      sut.feedback.summary,
    );
  });

  it('knows empty code from code', () => {
    assert.equal(isEmptyCode(''), true);
    assert.equal(isEmptyCode('  \n# nothing yet\npass\n...\n'), true);
    assert.equal(isEmptyCode('x = 1\n'), false);
    assert.equal(isEmptyCode(undefined), false);
  });
});
