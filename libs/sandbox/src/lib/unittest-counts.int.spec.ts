import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '@koodi/contracts';
import { SandboxPool } from './sandbox.pool';

// The counts a student reads must be the ones `python3 -m unittest` reports for the same files.
// Only these fixture files run outside the sandbox, under plain unittest.

interface Report {
  ran: number;
  skipped: number;
  failing: string[];
}

/** What plain unittest says about tests.py against the code as module `stub`. */
function unittestReport(code: string, tests: string): Report {
  const dir = mkdtempSync(join(tmpdir(), 'koodi-unittest-'));
  try {
    writeFileSync(join(dir, 'stub.py'), code);
    writeFileSync(join(dir, 'test_stub.py'), tests);
    // unittest reports on stderr, and exits 1 when a test failed.
    const text = spawnSync('python3', ['-m', 'unittest', 'test_stub'], {
      cwd: dir,
      encoding: 'utf8',
    }).stderr;
    const ran = Number(/^Ran (\d+) tests?/m.exec(text)?.[1]);
    const skipped = Number(/skipped=(\d+)/.exec(text)?.[1] ?? 0);
    const failing = new Set<string>();
    for (const match of text.matchAll(/^(?:FAIL|ERROR): (\w+) \(test_stub\.(\w+)\.\w+\)/gm))
      failing.add(`${match[2]}.${match[1]}`);
    return { ran, skipped, failing: [...failing].sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const STUB = 'def double(x):\n    return None\n\ndef name():\n    return "x"\n';
const TESTS = `import unittest
from stub import double, name


class Doubles(unittest.TestCase):
    def test_small(self):
        for x in range(6):
            with self.subTest(x=x):
                self.assertEqual(double(x), 2 * x)

    def test_negative(self):
        for x in range(-6, 0):
            with self.subTest(x=x):
                self.assertEqual(double(x), 2 * x)

    def test_some_pass(self):
        for x in [0, 1]:
            with self.subTest(x=x):
                if x:
                    self.assertEqual(double(x), 2)

    def test_error_in_subtest(self):
        with self.subTest('boom'):
            raise ValueError('boom')

    @unittest.skip('not yet')
    def test_skipped(self):
        pass

    def test_name(self):
        self.assertEqual(name(), 'x')

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(1, 2)
`;

describe('counts that match unittest', () => {
  let sut: SandboxPool;

  before(async () => {
    sut = new SandboxPool({ slots: 1 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  for (const [name, code, tests] of [
    ['a stub with subtests, a skip and an expected failure', STUB, TESTS],
    [
      'the same tests against a solution',
      'def double(x):\n    return 2 * x\n\ndef name():\n    return "x"\n',
      TESTS,
    ],
    [
      'a skipped subtest beside a passing one',
      STUB,
      'import unittest\nfrom stub import name\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        with self.subTest(i=1):\n            self.skipTest("later")\n        with self.subTest(i=2):\n            self.assertEqual(name(), "x")\n\n    def test_b(self):\n        self.assertEqual(name(), "x")\n',
    ],
    [
      'only a skip beside passing tests',
      STUB,
      'import unittest\nfrom stub import name\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        self.assertEqual(name(), "x")\n\n    @unittest.skip("later")\n    def test_b(self):\n        pass\n',
    ],
  ] as const) {
    it(name, async () => {
      const expected = unittestReport(code, tests);
      const result = await sut.run({
        code,
        moduleName: 'stub',
        testCode: tests,
        limits: DEFAULT_LIMITS,
      });
      const { feedback } = result;

      assert.equal(
        feedback.tests.length,
        expected.ran,
        JSON.stringify(feedback.tests.map((t) => t.name)),
      );
      assert.equal(feedback.tests.filter((t) => t.outcome === 'skipped').length, expected.skipped);
      const failing = feedback.tests
        .filter((t) => t.outcome === 'failed' || t.outcome === 'error')
        .map((t) => t.name)
        .sort();
      assert.deepEqual(failing, expected.failing);
      if (failing.length) {
        assert.match(
          feedback.summary,
          new RegExp(`^${failing.length} of ${expected.ran} tests failed`),
        );
        // Failures first.
        assert.deepEqual(
          feedback.tests
            .slice(0, failing.length)
            .map((t) => t.name)
            .sort(),
          failing,
        );
      } else if (expected.skipped) {
        assert.equal(result.verdict, 'tests_failed');
        assert.match(
          feedback.summary,
          new RegExp(`^${expected.skipped} of ${expected.ran} tests? (was|were) skipped`),
        );
      }
    });
  }

  it('lists a skipped subtest under its test, beside a failing one', async () => {
    const tests =
      'import unittest\nfrom stub import double\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        for i in range(3):\n            with self.subTest(i=i):\n                if i == 1:\n                    self.skipTest("later")\n                if i == 2:\n                    self.assertEqual(double(1), 2)\n';
    const result = await sut.run({
      code: STUB,
      moduleName: 'stub',
      testCode: tests,
      limits: DEFAULT_LIMITS,
    });

    assert.equal(result.feedback.tests.length, 1);
    assert.equal(result.feedback.tests[0].name, 'T.test_a');
    assert.equal(result.feedback.tests[0].outcome, 'failed');
    assert.match(
      result.feedback.tests[0].message,
      /^1 subtest failed\. 1 subtest was skipped\.\n\n\(i=1\): skipped: later\n\n\(i=2\): None != 2/,
    );
  });

  it('lists the failing subtests under their one test', async () => {
    const result = await sut.run({
      code: STUB,
      moduleName: 'stub',
      testCode: TESTS,
      limits: DEFAULT_LIMITS,
    });
    const small = result.feedback.tests.find((t) => t.name === 'Doubles.test_small');

    assert.equal(small?.outcome, 'failed');
    assert.match(
      small?.message ?? '',
      /^6 subtests failed\.\n\n\(x=0\): None != 0\n\n\(x=1\): None != 2/,
    );
    assert.equal(
      result.feedback.tests.find((t) => t.name === 'Doubles.test_some_pass')?.outcome,
      'failed',
    );
    assert.equal(
      result.feedback.tests.find((t) => t.name === 'Doubles.test_error_in_subtest')?.outcome,
      'error',
    );
    assert.equal(result.feedback.summary, '4 of 7 tests failed, 1 skipped.');
  });
});
