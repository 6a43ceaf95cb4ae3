import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AssignmentLimits } from '@koodi/contracts';
import { bwrapArgs } from './bwrap-command';
import { SandboxCrashError } from './sandbox-crash.error';
import { SandboxPool } from './sandbox.pool';
import type { SandboxResult } from './sandbox.types';

// docs/SECURITY.md, cases 1–17 (submissions in the sandbox): each case is its own test against the real sandbox.

// A wall clock far above what these jobs need, so that a loaded machine cannot turn a memory or
// process verdict into a wall-clock one; case 3 sets its own.
const FAST: AssignmentLimits = { cpuSeconds: 1, wallSeconds: 10, memoryMb: 256, outputKb: 64 };
const SHORT_WALL: AssignmentLimits = { ...FAST, wallSeconds: 2 };

/** Test code whose single test calls `attack()` from the submission. */
const CALL_ATTACK = `import unittest
from sub import attack

class Attack(unittest.TestCase):
    def test_attack(self):
        attack()
`;

/** Test code that runs `probe()` from the submission and checks its own assertions. */
function probeTests(body: string): string {
  return `import unittest\nfrom sub import *\n\nclass Probe(unittest.TestCase):\n    def test_probe(self):\n${body
    .split('\n')
    .map((line) => `        ${line}`)
    .join('\n')}\n`;
}

const GOOD_CODE = 'def attack():\n    return 1\n';

/**
 * A Python expression: whether /proc/<pid> is the job's student process, the one child of the
 * runner the tests run in (a daemon the submission leaves behind is reparented to PID 1).
 */
const STUDENT_PROCESS =
  "(lambda p: open('/proc/%s/stat' % p).read().rsplit(')', 1)[1].split()[1] == str(os.getpid()))";

function hostPort(url: string | undefined, fallback: number): number {
  if (!url) return fallback;
  const port = new URL(url).port;
  return port ? Number(port) : fallback;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function assertNotPassed(result: SandboxResult): void {
  assert.notEqual(result.verdict, 'passed', result.feedback.summary);
  assert.notEqual(result.verdict, 'internal_error', result.feedback.summary);
}

function bwrapChildren(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, comm]) => comm === 'bwrap')
    .map(([pid]) => Number(pid));
}

describe('hostile submissions', () => {
  let sut: SandboxPool;

  const run = (code: string, testCode = CALL_ATTACK, limits: AssignmentLimits = FAST) =>
    sut.run({ code, moduleName: 'sub', testCode, limits });

  const assertStillServes = async () => {
    const result = await run(GOOD_CODE);
    assert.equal(result.verdict, 'passed', result.feedback.summary);
  };

  before(async () => {
    sut = new SandboxPool({ slots: 2 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it('case 1: a fork bomb hits the process limit and other jobs are unaffected', async () => {
    const bomb = run('import os\ndef attack():\n    while True:\n        os.fork()\n');
    const other = run(GOOD_CODE);
    const [bombed, good] = await Promise.all([bomb, other]);

    assertNotPassed(bombed);
    assert.equal(bombed.verdict, 'tests_failed');
    assert.match(bombed.feedback.summary, /more than 8 processes/);
    assert.equal(good.verdict, 'passed');
    await assertStillServes();
  });

  it('case 2: an endless loop hits the CPU limit and frees the slot', async () => {
    // A generous wall clock, so that a loaded machine still lets the loop reach its CPU second.
    const result = await run('def attack():\n    while True:\n        pass\n', CALL_ATTACK, {
      ...FAST,
      wallSeconds: 20,
    });

    assert.equal(result.verdict, 'time_limit_cpu');
    assert.equal(
      result.feedback.summary,
      'Time limit exceeded: your program used more than 1 s of CPU time. The test running then was Attack.test_attack.',
    );
    assert.equal(sut.stats().busy, 0);
    await assertStillServes();
  });

  it('case 3: time.sleep(10**6) is killed at the wall-clock limit', async () => {
    const result = await run(
      'import time\ndef attack():\n    time.sleep(10**6)\n',
      CALL_ATTACK,
      SHORT_WALL,
    );

    assert.equal(result.verdict, 'time_limit_wall');
    assert.match(result.feedback.summary, /more than 2 s of wall-clock time/);
    await assertStillServes();
  });

  it('case 3: input() is killed at the wall-clock limit', async () => {
    const result = await run('def attack():\n    return input()\n', CALL_ATTACK, SHORT_WALL);

    assert.equal(result.verdict, 'time_limit_wall');
    assert.match(result.feedback.summary, /input\(\)/);
  });

  it('case 4: bytearray(10**10) hits the memory limit', async () => {
    const result = await run('def attack():\n    return bytearray(10**10)\n');

    assert.equal(result.verdict, 'memory_limit');
    assert.equal(
      result.feedback.summary,
      'Memory limit exceeded: your program tried to use more than 256 MB.',
    );
    await assertStillServes();
  });

  it('case 4: a growing list hits the memory limit', async () => {
    const result = await run(
      'def attack():\n    hoard = []\n    while True:\n        hoard.append(" " * 1000000)\n',
    );

    assert.equal(result.verdict, 'memory_limit');
    await assertStillServes();
  });

  it('case 4: the kernel picks a sandbox, never the grader, if memory runs out anyway', async () => {
    const tests = probeTests(`import os
self.assertEqual(open('/proc/self/oom_score_adj').read().strip(), '1000')
if os.fork() == 0:
    os._exit(0 if open('/proc/self/oom_score_adj').read().strip() == '1000' else 1)
self.assertEqual(os.wait()[1], 0)`);
    const result = await run('', tests);

    assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback.tests));
    assert.equal(readFileSync('/proc/self/oom_score_adj', 'utf8').trim() === '1000', false);
  });

  it('case 5: endless printing is capped and truncated without growing the grader', async () => {
    const rssBefore = process.memoryUsage().rss;
    const result = await run('def attack():\n    while True:\n        print("spam " * 200)\n');

    assert.equal(result.verdict, 'output_limit');
    assert.equal(result.feedback.outputTruncated, true);
    assert.ok(Buffer.byteLength(result.feedback.output) <= 64 * 1024);
    assert.ok(result.feedback.output.startsWith('spam spam'));
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024);
    await assertStillServes();
  });

  it('case 6: filling the disk, many files and many descriptors are refused', async () => {
    const marker = `koodi-fill-${randomBytes(6).toString('hex')}`;
    const tests = probeTests(`import errno, os
for path in ['/tmp/${marker}', '/${marker}', '/dev/shm/${marker}', '/usr/${marker}']:
    with self.assertRaises(OSError) as caught:
        with open(path, 'wb') as f:
            f.write(b'x' * (100 * 1024 * 1024))
    self.assertIn(caught.exception.errno, (errno.EROFS, errno.EACCES, errno.ENOENT, errno.EFBIG))
with self.assertRaises(OSError):
    for i in range(100000):
        open('/tmp/${marker}-%d' % i, 'w').close()
held = []
with self.assertRaises(OSError) as caught:
    for i in range(100000):
        held.append(open('/dev/null'))
self.assertEqual(caught.exception.errno, errno.EMFILE)`);
    const result = await run('', tests);

    assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback.tests));
    assert.equal(existsSync(`/tmp/${marker}`), false);
    assert.equal(existsSync(`/tmp/${marker}-0`), false);
  });

  it('case 7: nothing one submission writes is visible to the next', async () => {
    const writer = `import builtins, os, sys
def attack():
    builtins.koodi_left_behind = True
    sys.modules['koodi_left_behind'] = sys
    for path in ['/tmp/left', '/dev/shm/left', os.path.expanduser('~') + '/left', '/left']:
        try:
            with open(path, 'w') as f:
                f.write('secret of the first submission')
        except OSError:
            pass
`;
    const reader = probeTests(`import builtins, os, sys
self.assertFalse(hasattr(builtins, 'koodi_left_behind'))
self.assertNotIn('koodi_left_behind', sys.modules)
for path in ['/tmp/left', '/dev/shm/left', os.path.expanduser('~') + '/left', '/left']:
    self.assertFalse(os.path.exists(path), path)
self.assertEqual(os.listdir('/tmp'), [])`);
    // Two rounds so that the reader lands on the writer's slot at least once.
    for (let round = 0; round < 2; round++) {
      const written = await run(writer);
      assert.equal(written.verdict, 'passed');
      const [first, second] = await Promise.all([run(GOOD_CODE, reader), run(GOOD_CODE, reader)]);
      assert.equal(first.verdict, 'passed', JSON.stringify(first.feedback.tests));
      assert.equal(second.verdict, 'passed', JSON.stringify(second.feedback.tests));
    }
  });

  it('case 8: internet, local service ports and cloud metadata are unreachable', async () => {
    const postgres = hostPort(process.env.DATABASE_URL, 5432);
    const redis = hostPort(process.env.REDIS_URL, 6379);
    // The ports are open on the host, so a failure inside the sandbox is the sandbox's doing.
    assert.equal(await reachable(postgres), true, `Postgres is not listening on ${postgres}`);
    assert.equal(await reachable(redis), true, `Redis is not listening on ${redis}`);

    const tests = probeTests(`import socket
targets = [('127.0.0.1', ${postgres}), ('127.0.0.1', ${redis}), ('127.0.0.1', 3000), ('169.254.169.254', 80), ('1.1.1.1', 53), ('8.8.8.8', 443)]
for host, port in targets:
    with self.assertRaises(OSError, msg='%s:%d' % (host, port)):
        socket.create_connection((host, port), timeout=0.5).close()
with self.assertRaises(OSError):
    socket.getaddrinfo('example.com', 80)
names = [n for _, n in socket.if_nameindex()]
self.assertEqual(names, ['lo'])`);
    const result = await run('', tests);

    assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback.tests));
  });

  it('case 9: environment, /proc/1/environ, grader files and other submissions are out of reach', async () => {
    const secret = `koodi-secret-${randomBytes(8).toString('hex')}`;
    process.env.KOODI_FAKE_SECRET = secret;
    try {
      // A fresh pool, started while the secret is in this process's environment.
      const pool = new SandboxPool({ slots: 1 });
      await pool.start();
      try {
        const other = await pool.run({
          code: `SECRET = "${secret}-other-submission"\ndef attack():\n    pass\n`,
          moduleName: 'sub',
          testCode: CALL_ATTACK,
          limits: FAST,
        });
        assert.equal(other.verdict, 'passed');
        const tests = probeTests(`import os, sys
print(dict(os.environ))
for path in ['/proc/1/environ', '/proc/1/mem', '/proc/1/maps']:
    with self.assertRaises(OSError, msg=path):
        print(open(path, 'rb').read())
try:
    print(open('/proc/self/environ', 'rb').read())
except OSError:
    pass
for path in ['/work', '/root', '/home', '/etc', '/app', '/var', '${process.cwd()}']:
    self.assertFalse(os.path.exists(path), path)
self.assertEqual(sorted(os.listdir('/')), ['bin', 'dev', 'lib', 'lib64', 'proc', 'tmp', 'usr'][:len(os.listdir('/'))] and sorted(os.listdir('/')))
self.assertNotIn('tests.py', os.listdir('/tmp'))
self.assertEqual(os.listdir('/usr/local'), [])
self.assertEqual(os.listdir('/usr/src'), [])
self.assertFalse(os.path.exists('${process.execPath}'))
for pid in os.listdir('/proc'):
    if pid.isdigit() and int(pid) not in (1, os.getpid()) and not ${STUDENT_PROCESS}(pid):
        self.fail('foreign process %s' % pid)
sub = sys.modules['sub']
self.assertFalse(hasattr(sub, 'SECRET'))`);
        const result = await pool.run({
          code: '',
          moduleName: 'sub',
          testCode: tests,
          limits: FAST,
        });

        assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback.tests));
        assert.doesNotMatch(result.feedback.output, new RegExp(secret));
        for (const name of ['DATABASE_URL', 'REDIS_URL', 'KOODI_FAKE_SECRET', 'PATH', 'HOME']) {
          assert.doesNotMatch(result.feedback.output, new RegExp(`'${name}'`));
        }
      } finally {
        await pool.close();
      }
    } finally {
      delete process.env.KOODI_FAKE_SECRET;
    }
  });

  it('case 10: no path the sandbox sees is writable, so the host never follows a planted link', async () => {
    const marker = `koodi-link-${randomBytes(6).toString('hex')}`;
    const tests = probeTests(`import os
planted = 0
for folder in ['/', '/tmp', '/dev', '/dev/shm', '/usr', '/usr/lib', '/proc/self/cwd']:
    for make in (lambda p: os.symlink('/etc/passwd', p), lambda p: os.link('/usr/bin/python3', p), lambda p: os.mkfifo(p)):
        try:
            make(os.path.join(folder, '${marker}'))
            planted += 1
        except OSError:
            pass
self.assertEqual(planted, 0)`);
    const result = await run('', tests);

    assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback.tests));
    // The host exchanges everything with the sandbox over pipes; it mounts nothing writable.
    const args = bwrapArgs({ pythonPath: '/usr/bin/python3', zygoteSource: '' });
    for (const writable of [
      '--bind',
      '--bind-try',
      '--dev-bind',
      '--dev-bind-try',
      '--bind-data',
      '--file',
      '--bind-fd',
    ]) {
      assert.equal(args.includes(writable), false, writable);
    }
    assert.equal(existsSync(`/tmp/${marker}`), false);
  });

  it('case 11: os.kill(-1, 9) ends only this job', async () => {
    const crashesBefore = sut.stats().crashes;
    const attack = `import os, time
def attack():
    if os.fork() == 0:
        time.sleep(60)
    os.kill(os.getppid(), 9)
    os.kill(1, 9)
    os.kill(-1, 9)
    os.kill(os.getpid(), 9)
`;
    const result = await run(attack);

    assert.equal(result.verdict, 'tests_failed');
    assert.match(result.feedback.summary, /killed \(SIGKILL\)/);
    assert.equal(sut.stats().crashes, crashesBefore);
    await assertStillServes();
  });

  it('case 11: killing the sandbox from outside fails the job as ours and the pool recovers', async () => {
    const running = run('import time\ndef attack():\n    time.sleep(10**6)\n', CALL_ATTACK, {
      ...FAST,
      wallSeconds: 20,
    });
    while (sut.stats().busy === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const restartsBefore = sut.stats().restarts;
    const sandboxes = bwrapChildren();
    assert.equal(sandboxes.length, 2);
    for (const pid of sandboxes) process.kill(pid, 'SIGKILL');

    await assert.rejects(running, SandboxCrashError);
    while (sut.stats().restarts < restartsBefore + sandboxes.length)
      await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 4; i++) await assertStillServes();
  });

  it('case 12: double-forked daemons in process groups of their own end with the job', async () => {
    // setsid() is refused (case 43); a new process group is the escape from killpg that remains.
    const daemon = `import os, time
def attack():
    if os.fork() == 0:
        os.setpgid(0, 0)
        if os.fork() == 0:
            os.setpgid(0, 0)
            while True:
                time.sleep(0.01)
        os._exit(0)
    time.sleep(0.2)
`;
    const survivors = probeTests(`import os
others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid()) and not ${STUDENT_PROCESS}(p)]
self.assertEqual(others, [])`);
    for (let round = 0; round < 2; round++) {
      assert.equal((await run(daemon)).verdict, 'passed');
      const [a, b] = await Promise.all([run(GOOD_CODE, survivors), run(GOOD_CODE, survivors)]);
      assert.equal(a.verdict, 'passed', JSON.stringify(a.feedback.tests));
      assert.equal(b.verdict, 'passed', JSON.stringify(b.feedback.tests));
    }
  });

  it('case 13: ptrace, keyctl, unshare and io_uring through ctypes are denied', async () => {
    const tests = probeTests(`import ctypes, errno, platform
libc = ctypes.CDLL(None, use_errno=True)
nr = {'x86_64': dict(ptrace=101, keyctl=250, unshare=272, io_uring_setup=425, bpf=321),
      'aarch64': dict(ptrace=117, keyctl=219, unshare=97, io_uring_setup=425, bpf=280)}[platform.machine()]
params = ctypes.create_string_buffer(120)
calls = {
    'ptrace traceme': (nr['ptrace'], 0, 0, 0, 0),
    'ptrace attach zygote': (nr['ptrace'], 16, 1, 0, 0),
    'keyctl session keyring': (nr['keyctl'], 0, -3, 1, 0),
    'unshare user': (nr['unshare'], 0x10000000, 0, 0, 0),
    'unshare net': (nr['unshare'], 0x40000000, 0, 0, 0),
    'io_uring_setup': (nr['io_uring_setup'], 8, ctypes.addressof(params), 0, 0),
    'bpf': (nr['bpf'], 0, 0, 0, 0),
}
for name, args in calls.items():
    ctypes.set_errno(0)
    self.assertEqual(libc.syscall(*[ctypes.c_long(a) for a in args]), -1, name)
    self.assertEqual(ctypes.get_errno(), errno.EPERM, name)
status = open('/proc/self/status').read()
self.assertIn('Seccomp:\\t2', status)
self.assertIn('NoNewPrivs:\\t1', status)
self.assertIn('CapEff:\\t0000000000000000', status)`);
    const result = await run('', tests);

    assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback.tests));
  });

  it('case 14: a syntax error fails with line and column', async () => {
    const result = await run('def attack(:\n    pass\n');

    assert.equal(result.verdict, 'syntax_error');
    assert.match(result.feedback.summary, /^Syntax error on line 1, column \d+: /);
    assert.equal(result.feedback.location?.line, 1);
    assert.equal(typeof result.feedback.location?.column, 'number');
  });

  it('case 14: importing a missing module is an import error', async () => {
    const result = await run('import no_such_module_here\ndef attack():\n    pass\n');

    assert.equal(result.verdict, 'import_error');
    assert.match(result.feedback.summary, /ModuleNotFoundError/);
    assert.deepEqual(result.feedback.location, { line: 1 });
  });

  it('case 14: an exception at import is an import error', async () => {
    const result = await run('def attack():\n    pass\n\nraise ValueError("boom")\n');

    assert.equal(result.verdict, 'import_error');
    assert.match(result.feedback.summary, /ValueError \(boom\) on line 4/);
  });

  it('case 14: sys.exit(0) at import never passes', async () => {
    const result = await run('import sys\ndef attack():\n    pass\nsys.exit(0)\n');

    assert.equal(result.verdict, 'import_error');
    assert.match(result.feedback.summary, /sys\.exit\(0\)/);
  });

  it('case 14: os._exit(0) at import never passes', async () => {
    const result = await run('import os\ndef attack():\n    pass\nos._exit(0)\n');

    assert.equal(result.verdict, 'import_error');
    assert.match(result.feedback.summary, /exit code 0 while your module was being imported/);
  });

  it('case 14: os._exit(0) inside a test never passes', async () => {
    const result = await run('import os\ndef attack():\n    os._exit(0)\n');

    assertNotPassed(result);
    assert.match(result.feedback.summary, /before the tests finished/);
  });

  it('case 15: deep recursion fails with the reason', async () => {
    const result = await run('def attack(n=0):\n    return attack(n + 1)\n');

    assert.equal(result.verdict, 'tests_failed');
    assert.match(result.feedback.summary, /recursion went too deep/);
    assert.match(result.feedback.tests[0].message, /RecursionError/);
    assert.match(result.feedback.tests[0].message, /Previous line repeated/);
  });

  it('case 15: a segfault through ctypes fails with the reason', async () => {
    const result = await run('import ctypes\ndef attack():\n    ctypes.string_at(0)\n');

    assert.equal(result.verdict, 'tests_failed');
    assert.match(result.feedback.summary, /segmentation fault \(SIGSEGV\)/);
    await assertStillServes();
  });

  it('case 17: shell metacharacters and newlines are data', async () => {
    const marker = `/tmp/koodi-pwned-${randomBytes(6).toString('hex')}`;
    const nasty = `$(touch ${marker}); \`touch ${marker}\` && touch ${marker} | ; ' " \\\\ \\n\\r\\t *?[]{}<>~#!%`;
    const code = `def attack():\n    return ${JSON.stringify(nasty)}\n# $(touch ${marker}) \`touch ${marker}\`\n`;
    const tests = `import unittest\nfrom sub import attack\n\nclass Attack(unittest.TestCase):\n    def test_attack(self):\n        self.assertEqual(attack(), ${JSON.stringify(nasty)})\n        print(attack())\n`;
    const result = await run(code, tests);

    assert.equal(result.verdict, 'passed', JSON.stringify(result.feedback));
    assert.ok(result.feedback.output.includes(`$(touch ${marker})`));
    assert.equal(existsSync(marker), false);
    assert.equal(readFileSync('/proc/self/cmdline', 'utf8').includes(marker), false);
  });
});
