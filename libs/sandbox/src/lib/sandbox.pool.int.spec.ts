import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '@koodi/contracts';
import { SandboxPool } from './sandbox.pool';
import type { SandboxJob } from './sandbox.types';

const TESTS = `import unittest
from greet import greet, add

class GreetTest(unittest.TestCase):
    def test_greet(self):
        self.assertEqual(greet("Ada"), "Hello, Ada!")

    def test_add(self):
        self.assertEqual(add(2, 3), 5)

    def test_add_negative(self):
        self.assertEqual(add(-2, -3), -5)
`;

const GOOD = `def greet(name):
    return f"Hello, {name}!"

def add(a, b):
    return a + b
`;

function job(code: string, testCode = TESTS): SandboxJob {
  return { code, moduleName: 'greet', testCode, limits: DEFAULT_LIMITS };
}

describe(SandboxPool.name, () => {
  let sut: SandboxPool;

  before(async () => {
    sut = new SandboxPool({ slots: 2 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it('passes a correct solution', async () => {
    const result = await sut.run(job(GOOD));

    assert.equal(result.verdict, 'passed');
    assert.equal(result.feedback.summary, 'All 3 tests passed.');
    assert.deepEqual(result.feedback.tests.map((t) => [t.name, t.outcome]).sort(), [
      ['GreetTest.test_add', 'passed'],
      ['GreetTest.test_add_negative', 'passed'],
      ['GreetTest.test_greet', 'passed'],
    ]);
  });

  it('fails a wrong solution with expected vs actual', async () => {
    const result = await sut.run(
      job('def greet(name):\n    return "Hi"\n\ndef add(a, b):\n    return a - b\n'),
    );

    assert.equal(result.verdict, 'tests_failed');
    assert.equal(result.feedback.summary, '3 of 3 tests failed.');
    const greet = result.feedback.tests.find((t) => t.name === 'GreetTest.test_greet');
    assert.equal(greet?.outcome, 'failed');
    assert.match(greet?.message ?? '', /'Hi' != 'Hello, Ada!'/);
  });

  it('reports one failing test among several', async () => {
    const result = await sut.run(job(GOOD.replace('return a + b', 'return abs(a) + abs(b)')));

    assert.equal(result.verdict, 'tests_failed');
    assert.equal(result.feedback.summary, '1 of 3 tests failed.');
    const failed = result.feedback.tests.filter((t) => t.outcome !== 'passed');
    assert.deepEqual(
      failed.map((t) => t.name),
      ['GreetTest.test_add_negative'],
    );
    assert.match(failed[0].message, /5 != -5/);
  });

  it('trims tracebacks to the student lines and points at them', async () => {
    const code =
      'def greet(name):\n    return helper(name)\n\ndef helper(name):\n    return name / 2\n\ndef add(a, b):\n    return a + b\n';
    const result = await sut.run(job(code));

    const greet = result.feedback.tests.find((t) => t.name === 'GreetTest.test_greet');
    assert.equal(greet?.outcome, 'error');
    assert.match(greet?.message ?? '', /File "greet.py", line 5, in helper/);
    assert.match(greet?.message ?? '', /TypeError/);
    assert.doesNotMatch(greet?.message ?? '', /tests\.py|unittest/);
    assert.deepEqual(result.feedback.location, { line: 5 });
  });

  it('says when the tests cannot find what they import from the module', async () => {
    const result = await sut.run(job('def greeting(name):\n    return name\n'));

    assert.equal(result.verdict, 'import_error');
    assert.equal(
      result.feedback.summary,
      "Your code has no function named `greet`. Check the spelling and that it is not indented inside another function. The tests could not use your module: ImportError: cannot import name 'greet' from 'greet' (greet.py).",
    );
  });

  it('keeps what was printed before a crash', async () => {
    const code =
      'import ctypes\ndef greet(name):\n    print("about to crash")\n    ctypes.string_at(0)\n\ndef add(a, b):\n    return a + b\n';
    const result = await sut.run(job(code));

    assert.equal(result.verdict, 'tests_failed');
    assert.match(result.feedback.output, /about to crash\n/);
    assert.match(result.feedback.summary, /segmentation fault/);
  });

  it('keeps unicode in code and output', async () => {
    const code = `# Grüße, 世界 🐍\ndef greet(name):\n    print("Päivää, 世界 🐍", name)\n    return f"Hello, {name}!"\n\ndef add(a, b):\n    return a + b\n`;
    const result = await sut.run(job(code));

    assert.equal(result.verdict, 'passed');
    assert.equal(result.feedback.output, 'Päivää, 世界 🐍 Ada\n');
  });

  it('keeps a lot of output within the cap', async () => {
    const code = `def greet(name):\n    for i in range(1000):\n        print("line %04d " % i + "x" * 40)\n    return f"Hello, {name}!"\n\ndef add(a, b):\n    return a + b\n`;
    const result = await sut.run(job(code));

    assert.equal(result.verdict, 'passed');
    assert.equal(result.feedback.outputTruncated, false);
    assert.equal(result.feedback.output.length, 1000 * 51);
    assert.match(result.feedback.output, /line 0999 x{40}\n$/);
  });

  it('applies the assignment limits it is given', async () => {
    const code =
      'def greet(name):\n    print("x" * 3000)\n    return f"Hello, {name}!"\n\ndef add(a, b):\n    return a + b\n';
    const result = await sut.run({ ...job(code), limits: { ...DEFAULT_LIMITS, outputKb: 1 } });

    assert.equal(result.verdict, 'output_limit');
    assert.match(result.feedback.summary, /more than 1 KB/);
  });

  it('runs jobs on every slot concurrently and counts them', async () => {
    const before = sut.stats().completed;
    const results = await Promise.all(Array.from({ length: 6 }, () => sut.run(job(GOOD))));

    assert.deepEqual(
      results.map((r) => r.verdict),
      Array(6).fill('passed'),
    );
    assert.equal(sut.stats().completed, before + 6);
    assert.equal(sut.stats().busy, 0);
  });

  it('rounds a fractional CPU limit up to whole seconds and reports it', async () => {
    const code =
      'def greet(name):\n    while True:\n        pass\n\ndef add(a, b):\n    return a + b\n';
    const result = await sut.run({
      ...job(code),
      limits: { ...DEFAULT_LIMITS, cpuSeconds: 0.5, wallSeconds: 20 },
    });

    assert.equal(result.verdict, 'time_limit_cpu');
    assert.match(result.feedback.summary, /more than 1 s of CPU time/);
  });

  it('gives the code the stdin of the job, then EOF', async () => {
    const code =
      'name = input()\nprint("hi", name)\ntry:\n    input()\nexcept EOFError:\n    print("eof")\n';
    const result = await sut.run({ ...job(code, ''), stdin: 'Ada\n' });

    assert.equal(result.feedback.output, 'hi Ada\neof\n');
  });

  it('rejects a stdin larger than one pipe buffer', async () => {
    await assert.rejects(
      sut.run({ ...job(GOOD), stdin: 'x'.repeat(64 * 1024 + 1) }),
      /stdin must be a string of at most 65536 bytes/,
    );
  });

  it('rejects a module name that is not an identifier', async () => {
    await assert.rejects(sut.run({ ...job(GOOD), moduleName: 'greet; rm -rf /' }), TypeError);
  });
});

describe(`${SandboxPool.name} lifecycle`, () => {
  it('fails to start with the reason when bubblewrap cannot run', async () => {
    const sut = new SandboxPool({ slots: 1, bwrapPath: '/nonexistent/bwrap' });

    await assert.rejects(sut.start(), /nonexistent\/bwrap/);
    await sut.close();
  });

  it('finishes running jobs on close and refuses new ones', async () => {
    const sut = new SandboxPool({ slots: 1 });
    await sut.start();
    const slow = sut.run(job('import time\ntime.sleep(0.3)\n' + GOOD));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const closing = sut.close();
    await assert.rejects(sut.run(job(GOOD)), /closed/);
    assert.equal((await slow).verdict, 'passed');
    await closing;
    assert.equal(sut.stats().ready, 0);
  });

  it('takes every sandbox and job process with it when the grader dies', async () => {
    const script = `
      const { SandboxPool } = require(${JSON.stringify(join(__dirname, 'sandbox.pool.js'))});
      const pool = new SandboxPool({ slots: 2 });
      pool.start().then(() => {
        const code = 'import os, time\\nif os.fork() == 0:\\n    os.setpgid(0, 0)\\n    time.sleep(100)\\ntime.sleep(100)\\n';
        pool.run({ code, moduleName: 'm', testCode: '', limits: { cpuSeconds: 2, wallSeconds: 20, memoryMb: 256, outputKb: 64 } }).catch(() => {});
        setTimeout(() => process.stdout.write('running\\n'), 500);
      });`;
    const grader = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(grader.stdout, 'data');
    const family = descendantsOf(grader.pid as number);
    // Two sandboxes (bwrap + zygote each), the job and its daemon in a process group of its own.
    assert.ok(family.length >= 6, `expected sandboxes and job processes, found ${family.length}`);

    grader.kill('SIGKILL');
    await once(grader, 'exit');
    for (let i = 0; i < 100 && family.some(isAlive); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(family.filter(isAlive), []);
  });
});

function descendantsOf(root: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift() as number;
    for (const [pid, ppid] of rows) {
      if (ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
