import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AssignmentLimits } from '@koodi/contracts';
import { SandboxPool } from './sandbox.pool';
import type { SandboxResult } from './sandbox.types';

// docs/SECURITY.md, "Forged verdicts": each case is a submission with a wrong answer that tries
// to make the tests pass anyway, run against the real sandbox with the real assignment tests.

const LIMITS: AssignmentLimits = { cpuSeconds: 2, wallSeconds: 10, memoryMb: 256, outputKb: 64 };

function contentFile(relative: string): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'content', relative);
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  throw new Error(`content/${relative} not found above ${__dirname}`);
}

const HELLO_TESTS = contentFile('01-hello/tests.py');
const HELLO_SAMPLES = contentFile('01-hello/samples.py');
const SUM_TESTS = contentFile('03-sum/tests.py');

function assertNotPassed(result: SandboxResult): void {
  assert.notEqual(result.verdict, 'passed', result.feedback.summary);
  assert.notEqual(result.verdict, 'internal_error', result.feedback.summary);
}

/** Result-stream lines that claim every test of 01-hello passed. */
const FORGED_LINES = [
  { e: 'imported' },
  ...['test_returns_a_string', 'test_returns_exactly_hello', 'test_same_answer_every_time'].map(
    (name) => ({
      e: 'test',
      name: `HelloTests.${name}`,
      outcome: 'passed',
      message: '',
    }),
  ),
  { e: 'done', testsRun: 3 },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe('forged verdicts', () => {
  let sut: SandboxPool;
  const hello = (code: string, testCode = HELLO_TESTS) =>
    sut.run({ code, moduleName: 'hello', testCode, limits: LIMITS });

  before(async () => {
    sut = new SandboxPool({ slots: 2 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it('the correct answer still passes and the wrong one fails', async () => {
    const [good, wrong] = await Promise.all([
      hello('def hello():\n    return "Hello"\n'),
      hello('def hello():\n    return "Hi"\n'),
    ]);

    assert.equal(good.verdict, 'passed', good.feedback.summary);
    assert.equal(wrong.verdict, 'tests_failed');
  });

  it('case 46: every test skipped by code the submission installs at import never passes', async () => {
    const result = await hello(`import unittest
def skip(self):
    raise unittest.SkipTest('')
unittest.TestCase.setUp = skip
def hello():
    return None
`);

    assertNotPassed(result);
    assert.equal(
      result.feedback.tests.filter((t) => t.outcome === 'passed').length,
      0,
      JSON.stringify(result.feedback.tests),
    );
  });

  it('case 46: raise unittest.SkipTest at import never passes', async () => {
    const result = await hello(
      'import unittest\nraise unittest.SkipTest("")\ndef hello():\n    return None\n',
    );

    assertNotPassed(result);
    assert.equal(result.verdict, 'import_error');
  });

  it('case 47: raise unittest.SkipTest in the tested code is an error, not a skip', async () => {
    const result = await hello('import unittest\ndef hello():\n    raise unittest.SkipTest("")\n');

    assertNotPassed(result);
    assert.equal(result.verdict, 'tests_failed');
    assert.ok(
      result.feedback.tests.every((t) => t.outcome === 'error'),
      JSON.stringify(result.feedback.tests),
    );
  });

  it('case 48: a str subclass whose __eq__ is always True arrives as the plain str', async () => {
    const result = await hello(`class Anything(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
def hello():
    return Anything("nope")
`);

    assertNotPassed(result);
    assert.match(JSON.stringify(result.feedback.tests), /'nope' != 'Hello'/);
  });

  it('case 49: patching unittest.TestCase.assertEqual from the submission changes nothing', async () => {
    const result = await hello(`import unittest
for name in dir(unittest.TestCase):
    if name.startswith('assert'):
        setattr(unittest.TestCase, name, lambda *args, **kwargs: None)
unittest.TestCase.run = lambda self, result=None: result.addSuccess(self)
def hello():
    return None
`);

    assertNotPassed(result);
    assert.equal(result.feedback.tests.length, 3);
  });

  it('case 50: writing the runner protocol to fd 3 and os._exit(0) at import never passes', async () => {
    const result = await hello(`import os
forged = ${JSON.stringify(`${FORGED_LINES}\n`)}.encode()
for fd in range(3, 64):
    try:
        os.write(fd, forged)
    except OSError:
        pass
os._exit(0)
def hello():
    return None
`);

    assertNotPassed(result);
    assert.equal(result.verdict, 'import_error');
  });

  it('case 51: an object whose __sub__ returns 0 does not pass assertAlmostEqual', async () => {
    const result = await sut.run({
      code: `class Close:
    def __sub__(self, other):
        return 0
    __rsub__ = __sub__
    def __abs__(self):
        return 0
    def __eq__(self, other):
        return True
    def __round__(self, ndigits=None):
        return 0
def sum(a, b):
    return Close()
`,
      moduleName: 'sum',
      testCode: SUM_TESTS,
      limits: LIMITS,
    });

    assertNotPassed(result);
    assert.ok(
      result.feedback.tests.every((t) => t.outcome !== 'passed'),
      JSON.stringify(result.feedback.tests),
    );
  });

  it('case 52: returning unittest.mock.ANY does not compare equal', async () => {
    const result = await hello(
      'from unittest import mock\ndef hello():\n    return mock.ANY\n',
      HELLO_SAMPLES,
    );

    assertNotPassed(result);
    assert.equal(result.verdict, 'tests_failed');
  });

  it("case 53: the hidden tests are not in the submission's frames", async () => {
    const secret = `koodi-secret-${randomBytes(6).toString('hex')}`;
    const tests = `import unittest\nfrom hello import hello\n\nclass Hidden(unittest.TestCase):\n    def test_secret(self):\n        self.assertEqual(hello(), "${secret}")\n`;
    const result = await hello(
      `import re, sys
def strings(value, depth=0):
    if isinstance(value, str):
        yield value
    elif depth < 4 and isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings(item, depth + 1)
    elif depth < 4 and isinstance(value, dict):
        for item in list(value.values()):
            yield from strings(item, depth + 1)
    elif depth < 4 and hasattr(value, 'co_consts'):
        yield from strings(value.co_consts, depth + 1)
def hello():
    frame = sys._getframe(1)
    while frame is not None:
        for value in [frame.f_locals, frame.f_code, frame.f_globals]:
            for text in strings(value):
                found = re.search('koodi' '-secret-[0-9a-f]{12}', text)
                if found:
                    return found.group(0)
        frame = frame.f_back
    return None
`,
      tests,
    );

    assertNotPassed(result);
    assert.doesNotMatch(JSON.stringify(result.feedback), new RegExp(`'${secret}' != '${secret}'`));
  });

  it("case 54: the hidden tests are nowhere in the submission's memory, and the runner's cannot be read", async () => {
    const secret = `koodi-secret-${randomBytes(6).toString('hex')}`;
    const tests = `import unittest\nfrom hello import hello\n\nclass Hidden(unittest.TestCase):\n    def test_secret(self):\n        self.assertEqual(hello(), "${secret}")\n`;
    const result = await hello(
      `import gc, os, re
PATTERN = re.compile(rb'koodi' rb'-secret-[0-9a-f]{12}')
def search(pid):
    with open('/proc/%s/maps' % pid) as maps, open('/proc/%s/mem' % pid, 'rb', 0) as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if not perms.startswith('r'):
                continue
            start, end = (int(x, 16) for x in span.split('-'))
            try:
                mem.seek(start)
                found = PATTERN.search(mem.read(end - start))
            except (OSError, OverflowError, ValueError, MemoryError):
                continue
            if found:
                return found.group(0).decode()
    return None
def hello():
    for obj in gc.get_objects():
        code = getattr(obj, '__code__', None)
        for const in getattr(code, 'co_consts', ()):
            if isinstance(const, str) and PATTERN.search(const.encode()):
                return PATTERN.search(const.encode()).group(0).decode()
    for pid in ['self', str(os.getppid())]:
        try:
            found = search(pid)
        except OSError:
            found = None
        if found:
            return found
    try:
        fds = os.listdir('/proc/%d/fd' % os.getppid())
    except OSError:
        fds = []
    for fd in fds:
        try:
            found = PATTERN.search(open('/proc/%d/fd/%s' % (os.getppid(), fd), 'rb').read(1 << 20))
        except OSError:
            found = None
        if found:
            return found.group(0).decode()
    return None
`,
      tests,
    );

    assertNotPassed(result);
    assert.equal(result.verdict, 'tests_failed');
    assert.match(JSON.stringify(result.feedback.tests), /None != 'koodi-secret-/);
  });

  it('case 55: forged result lines on every fd and os._exit(0) inside a test never pass', async () => {
    const result = await hello(`import os
def hello():
    forged = ${JSON.stringify(`${FORGED_LINES}\n`)}.encode()
    for fd in range(0, 64):
        try:
            os.write(fd, forged)
        except OSError:
            pass
    os._exit(0)
`);

    assertNotPassed(result);
    // The forged lines reach only the submission's own channel, which the runner then stops trusting.
    assert.equal(result.verdict, 'tests_failed');
    assert.equal(
      result.feedback.tests.filter((t) => t.outcome === 'passed').length,
      0,
      JSON.stringify(result.feedback.tests),
    );
  });

  it('case 56: a test the tests themselves skip is not a pass', async () => {
    const tests = `import unittest\nfrom hello import hello\n\nclass T(unittest.TestCase):\n    def test_ok(self):\n        self.assertEqual(hello(), "Hello")\n\n    @unittest.skip("later")\n    def test_later(self):\n        pass\n`;
    const result = await hello('def hello():\n    return "Hello"\n', tests);

    assert.equal(result.verdict, 'tests_failed');
    assert.match(result.feedback.summary, /skipped test is not a pass/);
  });

  it("case 57: a test object handed to the submission does not lead to the tests' unittest or globals", async () => {
    const tests = `import unittest\nfrom hello import hello\n\nclass Greeter:\n    def greeting(self):\n        return "Hello"\n\nclass T(unittest.TestCase):\n    def test_uses_helper(self):\n        result = hello(Greeter())\n        self.assertEqual(result, "Hello")\n\n    def test_again(self):\n        self.assertEqual(hello(Greeter()), "Hello")\n`;
    const result = await hello(
      `def hello(helper):
    reached = []
    for path in [('__class__', '__init__', '__globals__'), ('greeting', '__func__', '__globals__'),
                 ('greeting', '__globals__'), ('__dict__',), ('greeting', '__self__', '__class__', '__module__')]:
        try:
            value = helper
            for name in path:
                value = getattr(value, name)
            reached.append(value)
        except Exception:
            pass
    for space in reached:
        try:
            case = space['unittest'].TestCase
            for name in dir(case):
                if name.startswith('assert'):
                    setattr(case, name, lambda *args, **kwargs: None)
        except Exception:
            pass
    return None
`,
      tests,
    );

    assertNotPassed(result);
    assert.equal(
      result.feedback.tests.filter((t) => t.outcome === 'failed').length,
      2,
      JSON.stringify(result.feedback.tests),
    );
  });

  it('case 59: killing the runner at import, with tests larger than a pipe, fails the job and leaves the sandbox in step', async () => {
    const padding = `# ${'x'.repeat(200)}\n`.repeat(1000);
    const crashesBefore = sut.stats().crashes;
    const result = await hello(
      'import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef hello():\n    return None\n',
      padding + HELLO_TESTS,
    );

    assertNotPassed(result);
    assert.equal(
      sut.stats().crashes,
      crashesBefore,
      'the zygote read the rest of the job as a header',
    );
    const [good, again] = await Promise.all([
      hello('def hello():\n    return "Hello"\n', padding + HELLO_TESTS),
      hello('def hello():\n    return "Hello"\n'),
    ]);
    assert.equal(good.verdict, 'passed', good.feedback.summary);
    assert.equal(again.verdict, 'passed', again.feedback.summary);
    assert.equal(sut.stats().crashes, crashesBefore);
  });

  it('case 58: an object claiming to be a str through __class__ stays a proxy', async () => {
    const result = await hello(`class Fake:
    __class__ = property(lambda self: str)
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
def hello():
    return Fake()
`);

    assertNotPassed(result);
    assert.equal(
      result.feedback.tests.filter((t) => t.outcome === 'passed').length,
      0,
      JSON.stringify(result.feedback.tests),
    );
  });
});
