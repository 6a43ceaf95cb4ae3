// The content validation of every assignment in content/, one case per folder, in the real sandbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SandboxPool } from '@koodi/sandbox';
import { ContentDirFixture, programFiles } from './content.fixtures.ts';
import { loadContent, type LoadedContent } from './content.loader.ts';
import { checkInSandbox } from './sandbox.check.ts';

const CONTENT_DIR = fileURLToPath(new URL('../../content', import.meta.url));
const folders = readdirSync(CONTENT_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
  .map((entry) => entry.name)
  .sort();

describe('content validation', () => {
  let pool: SandboxPool;
  let loaded: LoadedContent;

  before(async () => {
    pool = new SandboxPool({ slots: Math.min(availableParallelism(), 4) });
    await pool.start();
    loaded = await loadContent(CONTENT_DIR);
  });
  after(async () => {
    await pool?.close();
  });

  it('finds at least fifteen assignment folders', () => {
    assert.ok(folders.length >= 15, `only ${folders.length} folders in content/`);
  });

  // The submission runs in a process of its own: tests that need the very objects the submission
  // keeps, or that subclass its classes, cannot work, and the validator says so by name.
  for (const [name, tests, expected] of [
    [
      'subclassing a class of the submission',
      'import unittest\nfrom box import Box\n\n\nclass BoxTests(unittest.TestCase):\n    def test_subclass(self):\n        class Bigger(Box):\n            pass\n        self.assertEqual(Bigger().get(), None)\n',
      /cannot run with the submission in a separate process: the tests subclass a class of the submission/,
    ],
    [
      'the identity of a value kept by the submission',
      'import unittest\nfrom box import Box\n\n\nclass BoxTests(unittest.TestCase):\n    def test_same_object(self):\n        box, item = Box(), [1, 2]\n        box.put(item)\n        self.assertIs(box.get(), item)\n',
      /cannot run with the submission in a separate process: an assertIs expects a value to come back as the very object/,
    ],
  ] as const) {
    it(`names ${name} as something the tests cannot do`, async () => {
      const dir = await ContentDirFixture.create();
      try {
        await dir.write('01-box', {
          'assignment.md': '---\ntitle: Box\nposition: 1\nmodule: box\n---\n\nKeep one item.\n',
          'starter.py': 'class Box:\n    def put(self, item):\n        pass\n\n    def get(self):\n        return 0\n',
          'solution.py': 'class Box:\n    item = None\n\n    def put(self, item):\n        self.item = item\n\n    def get(self):\n        return self.item\n',
          'tests.py': tests,
          'samples.py': tests,
        });
        const content = await loadContent(dir.dir);
        assert.deepEqual(content.problems, []);
        const problems = await checkInSandbox(content.assignments[0], pool);

        assert.ok(problems.length > 0, 'the solution should not pass');
        assert.match(problems[0].message, expected);
      } finally {
        await dir.cleanup();
      }
    });
  }

  // A program is checked the same way: the reference passes every case, the starter fails.
  for (const [name, files, expected] of [
    [
      'a reference program that prints the wrong output',
      { 'solution.py': 'import sys\nfor line in sys.stdin:\n    print(line.strip())\n' },
      [
        /^solution\.py does not pass cases\.yaml: tests_failed; 2 of 2 tests failed\. — one line: Line 1 differs: expected "abab", your program printed "ab"\./,
        /^solution\.py does not pass the visible cases of cases\.yaml: tests_failed; 1 of 1 test failed\./,
      ],
    ],
    [
      'a starter program that already passes',
      { 'starter.py': programFiles(1)['solution.py'] },
      [/^starter\.py passes cases\.yaml: the tests cannot tell the starter from a solution$/],
    ],
    [
      'a starter program that floods its output instead of failing',
      { 'starter.py': 'while True:\n    print("x" * 1000)\n' },
      [/^starter\.py should fail cases\.yaml by failing tests, but it ends as output_limit/],
    ],
  ] as const) {
    it(`names ${name}`, async () => {
      const dir = await ContentDirFixture.create();
      try {
        await dir.write('01-echo', { ...programFiles(1), ...files });
        const content = await loadContent(dir.dir, {});
        assert.deepEqual(content.problems, []);
        const problems = await checkInSandbox(content.assignments[0], pool);

        assert.equal(problems.length, expected.length, JSON.stringify(problems));
        problems.forEach((p, i) => assert.match(p.message, expected[i]));
      } finally {
        await dir.cleanup();
      }
    });
  }

  for (const folder of folders) {
    it(folder, async () => {
      const problems = loaded.problems.filter((p) => p.folder === folder).map((p) => p.message);
      assert.deepEqual(problems, [], 'the folder should load without problems');
      const assignment = loaded.assignments.find((a) => a.folder === folder);
      assert.ok(assignment, `${folder} was not loaded`);

      const sandboxProblems = await checkInSandbox(assignment, pool);

      assert.deepEqual(
        sandboxProblems.map((p) => p.message),
        [],
        'the solution should pass tests.py and samples.py, and the starter should fail tests.py',
      );
    });
  }
});
