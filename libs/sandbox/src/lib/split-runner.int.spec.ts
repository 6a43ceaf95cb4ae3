import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AssignmentLimits } from '@koodi/contracts';
import { SandboxPool } from './sandbox.pool';

// The tests run in the runner and the submission in its own process (docs/SECURITY.md): what the
// tests can still do with the submission, against the real sandbox.

const LIMITS: AssignmentLimits = { cpuSeconds: 2, wallSeconds: 10, memoryMb: 256, outputKb: 64 };

function tests(body: string, imports = ''): string {
  const indented = body
    .split('\n')
    .map((line) => `        ${line}`)
    .join('\n');
  return `import unittest\n${imports}import sub\n\nclass T(unittest.TestCase):\n    def test_it(self):\n${indented}\n`;
}

describe('split runner', () => {
  let sut: SandboxPool;
  const run = (code: string, testCode: string) =>
    sut.run({ code, moduleName: 'sub', testCode, limits: LIMITS });
  const assertPassed = (result: Awaited<ReturnType<typeof run>>) =>
    assert.equal(
      result.verdict,
      'passed',
      `${result.feedback.summary} ${JSON.stringify(result.feedback.tests)}`,
    );

  before(async () => {
    sut = new SandboxPool({ slots: 2 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it('builtin values cross unchanged, both ways', async () => {
    const result = await run(
      'def echo(x):\n    return x\n',
      tests(`values = [None, True, 0, -1, 2**200, -2**70, 1.5, float('inf'), 'h\\u00e9\\ud800', b'\\x00\\xff', bytearray(b'ab'),
          (1, (2,)), [1, [2]], {'a': 1, (1, 2): [3]}, {1, 2}, frozenset({3}), 2 + 3j, range(1, 9, 2), slice(1, None)]
for value in values:
    back = sub.echo(value)
    self.assertEqual(back, value)
    self.assertIs(type(back), type(value))
nan = sub.echo(float('nan'))
self.assertNotEqual(nan, nan)
cycle = []
cycle.append(cycle)
back = sub.echo([cycle, cycle])
self.assertIs(back[0], back[1])
self.assertIs(back[0][0], back[0])`),
    );
    assertPassed(result);
  });

  it('arguments changed by the submission change in the tests, and an argument handed back is the same object', async () => {
    const result = await run(
      'def take(items, table):\n    items.append(len(items))\n    table["seen"] = True\n    return items\n',
      tests(`items, table = [1, 2], {}
back = sub.take(items, table)
self.assertIs(back, items)
self.assertEqual(items, [1, 2, 2])
self.assertEqual(table, {'seen': True})`),
    );
    assertPassed(result);
  });

  it("objects of the submission are proxies with identity, attributes, len, iteration and the submission's classes", async () => {
    const result = await run(
      `class Bag:
    def __init__(self):
        self.items = []
    def add(self, item):
        self.items.append(item)
        return self
    def __len__(self):
        return len(self.items)
    def __iter__(self):
        return iter(self.items)
    def __contains__(self, item):
        return item in self.items
    def __str__(self):
        return 'Bag(%d)' % len(self.items)
def numbers(n):
    yield from range(n)
`,
      tests(`bag = sub.Bag()
self.assertIs(bag.add('a'), bag)
bag.add('b')
self.assertEqual(len(bag), 2)
self.assertEqual(list(bag), ['a', 'b'])
self.assertIn('a', bag)
self.assertEqual(str(bag), 'Bag(2)')
self.assertIsInstance(bag, sub.Bag)
self.assertEqual(bag.items, ['a', 'b'])
self.assertEqual(list(sub.numbers(4)), [0, 1, 2, 3])
self.assertNotEqual(bag, sub.Bag())`),
    );
    assertPassed(result);
  });

  it("the submission's exceptions work with assertRaises, and the feedback points at the student's line", async () => {
    const passing = await run(
      'class EmptyError(ValueError):\n    pass\n\ndef pop(items):\n    if not items:\n        raise EmptyError("empty")\n    return items.pop()\n',
      tests(`with self.assertRaises(sub.EmptyError) as caught:
    sub.pop([])
self.assertEqual(str(caught.exception), 'empty')
with self.assertRaises(ValueError):
    sub.pop([])
self.assertEqual(sub.pop([1]), 1)`),
    );
    assertPassed(passing);

    const failing = await run(
      'def half(n):\n    x = n\n    return x / 0\n',
      tests('self.assertEqual(sub.half(2), 1)'),
    );
    assert.equal(failing.verdict, 'tests_failed');
    assert.deepEqual(failing.feedback.location, { line: 3 });
    const message = failing.feedback.tests[0].message;
    assert.match(
      message,
      /File "sub.py", line 3, in half\n {4}return x \/ 0\nZeroDivisionError: division by zero/,
    );
    assert.doesNotMatch(message, /zygote|tests.py/);
  });

  it('test objects handed to the submission work, and their errors reach it', async () => {
    const result = await run(
      'def total(seq, report):\n    s = 0\n    for i in range(len(seq)):\n        s += seq[i]\n    try:\n        seq["x"]\n    except TypeError as e:\n        report(str(e))\n    return s\n',
      tests(`class Seq:
    def __init__(self):
        self.lookups = 0
    def __len__(self):
        return 3
    def __getitem__(self, i):
        if not isinstance(i, int):
            raise TypeError('whole numbers only')
        self.lookups += 1
        return i * 10
seq, reports = Seq(), []
self.assertEqual(sub.total(seq, reports.append), 30)
self.assertEqual(seq.lookups, 3)
self.assertEqual(reports, ['whole numbers only'])`),
    );
    assertPassed(result);
  });

  it('mock.patch of builtins reaches the submission only while it is active', async () => {
    const result = await run(
      'def biggest(items):\n    return max(items)\n',
      tests(
        `def forbidden(*args):
    raise AssertionError('no max')
with mock.patch.object(builtins, 'max', forbidden):
    with self.assertRaises(AssertionError):
        sub.biggest([1, 2])
self.assertEqual(sub.biggest([1, 3, 2]), 3)`,
        'import builtins\nfrom unittest import mock\n',
      ),
    );
    assertPassed(result);
  });

  it("the student's prints reach the output, beside the tests' own", async () => {
    const result = await run(
      'def shout():\n    print("from the student", end="")\n    return 1\n',
      tests('print("from the tests")\nself.assertEqual(sub.shout(), 1)'),
    );
    assertPassed(result);
    assert.match(result.feedback.output, /from the student/);
    assert.match(result.feedback.output, /from the tests/);
  });

  it("the student process holds only its own fds and cannot open the runner's memory or fds", async () => {
    const result = await run(
      `import os
def fds():
    return sorted(os.listdir('/proc/self/fd'), key=int)
def refused(path):
    try:
        os.listdir(path) if path.endswith('/fd') else open(path, 'rb').read(1)
    except PermissionError:
        return True
    return False
def runner():
    return os.getppid()
`,
      tests(
        `# stdin, stdout, stderr, the channel's two pipes, and the directory being listed
self.assertEqual(sub.fds(), ['0', '1', '2', '3', '4', '5'])
self.assertEqual(sub.runner(), os.getpid())
for path in ['/proc/%d/mem' % os.getpid(), '/proc/%d/fd' % os.getpid(), '/proc/%d/environ' % os.getpid()]:
    self.assertIs(sub.refused(path), True, path)`,
        'import os\n',
      ),
    );
    assertPassed(result);
  });

  it('exceptions that would end the runner, or cannot be rebuilt, arrive as test errors', async () => {
    const result = await run(
      'def boom(kind):\n    if kind == 1:\n        raise KeyboardInterrupt("stop")\n    if kind == 2:\n        raise ExceptionGroup("many", [ValueError(1)])\n    raise SystemExit(3)\n',
      'import unittest\nimport sub\n\nclass T(unittest.TestCase):\n' +
        [1, 2, 3]
          .map((kind) => `    def test_${kind}(self):\n        sub.boom(${kind})\n`)
          .join('\n'),
    );
    assert.equal(result.verdict, 'tests_failed', result.feedback.summary);
    assert.equal(result.feedback.summary, '3 of 3 tests failed.');
    assert.deepEqual(
      result.feedback.tests.map((t) => [t.outcome, t.message.split('\n').pop()]),
      [
        ['error', 'KeyboardInterrupt: stop'],
        ['error', 'ExceptionGroup: many (1 sub-exception)'],
        ['error', 'SystemExit: 3'],
      ],
    );
  });

  it('subclassing a class of the submission is refused with a reason and reported', async () => {
    const result = await run('class Base:\n    pass\n', tests('class Mine(sub.Base):\n    pass'));
    assert.equal(result.verdict, 'tests_failed');
    assert.match(result.feedback.tests[0].message, /cannot subclass a class of the submission/);
    assert.deepEqual(result.splitLimits, ['subclass']);
  });
});
