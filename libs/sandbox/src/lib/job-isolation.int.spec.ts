import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AssignmentLimits } from '@koodi/contracts';
import { bwrapArgs } from './bwrap-command';
import { SandboxPool } from './sandbox.pool';
import type { SandboxResult } from './sandbox.types';

// docs/SECURITY.md, "Job isolation, cases 31–45": nothing of a job survives it. Each case runs
// against the real sandbox; the pools here have one slot, so consecutive jobs share a zygote.

const LIMITS: AssignmentLimits = { cpuSeconds: 2, wallSeconds: 10, memoryMb: 256, outputKb: 64 };

/** Test code whose single test runs `body` with the submission's names imported. */
function probeTests(body: string): string {
  return `import unittest\nfrom sub import *\n\nclass Probe(unittest.TestCase):\n    def test_probe(self):\n${body
    .split('\n')
    .map((line) => `        ${line}`)
    .join('\n')}\n`;
}

const GOOD_TESTS = probeTests('self.assertEqual(1 + 1, 2)');

function assertPassed(result: SandboxResult): void {
  assert.equal(
    result.verdict,
    'passed',
    `${result.feedback.summary} ${JSON.stringify(result.feedback.tests)}`,
  );
}

/** ctypes helpers every probe below shares. */
const LIBC = `import ctypes, errno, os, platform
libc = ctypes.CDLL(None, use_errno=True)
def refused(call, *args):
    ctypes.set_errno(0)
    result = call(*[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return result == -1 and ctypes.get_errno() in (errno.EPERM, errno.EACCES)
`;

describe('job isolation (one slot)', () => {
  let sut: SandboxPool;
  const run = (code: string, testCode = GOOD_TESTS, limits = LIMITS) =>
    sut.run({ code, moduleName: 'sub', testCode, limits });

  before(async () => {
    sut = new SandboxPool({ slots: 1 });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it("case 31: the next job finds nothing of the previous job's output or results in its memory", async () => {
    // The secret is written as two halves that never stand next to each other in the probe's own
    // code, so only the previous job's bytes can hold them joined.
    const head = randomBytes(12).toString('hex');
    const tail = randomBytes(12).toString('hex');
    const leaky = `HEAD = '${head}'
TAIL = '${tail}'
def secret():
    return HEAD + TAIL
print(secret() * 50)
`;
    const leakyTests = probeTests(`print(secret())
self.assertEqual(secret(), 'not the secret: ' + secret())`);
    const leaked = await run(leaky, leakyTests);
    assert.equal(leaked.verdict, 'tests_failed');
    assert.match(leaked.feedback.tests[0].message, new RegExp(head));

    const probe = probeTests(`import __main__, ctypes
head, tail = b'${head}', b'${tail}'
def holds(data):
    at = data.find(head)
    while at >= 0:
        if data[at + len(head):at + len(head) + len(tail)] == tail:
            return True
        at = data.find(head, at + 1)
    return False
self.assertFalse(holds(bytes(__main__._buf)), 'the relay buffer holds the previous job')
# Every writable mapping the zygote handed down, not only the buffer we know of (read in place:
# /proc/self/mem is closed to a non-dumpable process).
with open('/proc/self/maps') as maps:
    regions = [line.split() for line in maps]
found = []
for fields in regions:
    if not fields[1].startswith('rw') or (len(fields) > 5 and fields[5].startswith('[v')):
        continue
    start, end = (int(x, 16) for x in fields[0].split('-'))
    if holds(ctypes.string_at(start, end - start)):
        found.append(' '.join(fields))
self.assertEqual(found, [])`);
    assertPassed(await run('', probe));
  });

  it('case 32: prlimit() on the zygote is refused, so later jobs keep their memory and descriptors', async () => {
    const attack = probeTests(`import resource
for limit, value in ((resource.RLIMIT_DATA, 8 << 20), (resource.RLIMIT_NOFILE, 8), (resource.RLIMIT_NPROC, 1)):
    with self.assertRaises(PermissionError):
        resource.prlimit(1, limit, (value, value))
# Its own limits stay its own to lower.
resource.prlimit(0, resource.RLIMIT_NOFILE, (32, 32))`);
    const attacked = await run('', attack);
    assertPassed(attacked);
    assert.equal(attacked.slotIntact, true);

    const heavy = probeTests(`data = bytearray(64 << 20)
files = [open('/proc/self/status') for _ in range(40)]
self.assertEqual(len(data) + len(files), (64 << 20) + 40)`);
    assertPassed(await run('', heavy));
  });

  it('case 33: setpriority, sched_setscheduler, ioprio_set and sched_setaffinity cannot reach the zygote', async () => {
    const attack = probeTests(`${LIBC}
nr = {'x86_64': 251, 'aarch64': 30}[platform.machine()]
with self.assertRaises(PermissionError):
    os.setpriority(os.PRIO_PROCESS, 1, 19)
with self.assertRaises(PermissionError):
    os.setpriority(os.PRIO_USER, 0, 19)
with self.assertRaises(PermissionError):
    os.setpriority(os.PRIO_PGRP, 0, 19)
with self.assertRaises(PermissionError):
    os.sched_setscheduler(1, os.SCHED_IDLE, os.sched_param(0))
with self.assertRaises(PermissionError):
    os.sched_setaffinity(1, {0})
self.assertTrue(refused(libc.syscall, nr, 1, 1, (3 << 13)), 'ioprio_set on PID 1')   # IOPRIO_CLASS_IDLE
self.assertTrue(refused(libc.syscall, nr, 3, 0, (3 << 13)), 'ioprio_set on our uid')
# The job may still lower its own priority.
os.setpriority(os.PRIO_PROCESS, 0, 5)
os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
self.assertEqual(os.getpriority(os.PRIO_PROCESS, 1), 0)
self.assertEqual(os.sched_getscheduler(1), os.SCHED_OTHER)`);
    const attacked = await run('', attack);
    assertPassed(attacked);
    assert.equal(attacked.slotIntact, true);
  });

  it('case 34: the job cannot make itself dumpable, so /proc/self/autogroup (shared with the zygote) stays closed', async () => {
    const attack = probeTests(`${LIBC}
self.assertTrue(refused(libc.prctl, 4, 1, 0, 0, 0), 'PR_SET_DUMPABLE 1')
self.assertTrue(refused(libc.prctl, 4, 2, 0, 0, 0), 'PR_SET_DUMPABLE 2')
self.assertEqual(libc.prctl(3, 0, 0, 0, 0), 0)
before = open('/proc/1/autogroup').read()
with self.assertRaises(PermissionError):
    with open('/proc/self/autogroup', 'w') as f:
        f.write('19')
self.assertEqual(open('/proc/1/autogroup').read(), before)`);
    assertPassed(await run('', attack));
  });

  it('case 37: SysV IPC and POSIX message queues are refused and no IPC object outlives a job', async () => {
    const attack = probeTests(`${LIBC}
IPC_CREAT, IPC_PRIVATE = 0o1000, 0
self.assertTrue(refused(libc.shmget, IPC_PRIVATE, 512 << 20, IPC_CREAT | 0o600), 'shmget')
self.assertTrue(refused(libc.semget, IPC_PRIVATE, 1, IPC_CREAT | 0o600), 'semget')
self.assertTrue(refused(libc.msgget, IPC_PRIVATE, IPC_CREAT | 0o600), 'msgget')
mq_open = {'x86_64': 240, 'aarch64': 180}[platform.machine()]
self.assertTrue(refused(libc.syscall, mq_open, ctypes.c_char_p(b'koodi'), 0o100 | 2, 0o600, 0), 'mq_open')`);
    assertPassed(await run('', attack));
    const leftovers = probeTests(`for kind in ('shm', 'sem', 'msg'):
    self.assertEqual(open('/proc/sysvipc/' + kind).read().count('\\n'), 1, kind)`);
    assertPassed(await run('', leftovers));
  });

  it('case 38: the job cannot undo its OOM score or become dumpable again, not even through exec', async () => {
    const attack = probeTests(`${LIBC}
self.assertEqual(open('/proc/self/oom_score_adj').read().strip(), '1000')
with self.assertRaises(PermissionError):
    with open('/proc/self/oom_score_adj', 'w') as f:
        f.write('0')
self.assertTrue(refused(libc.prctl, 4, 1, 0, 0, 0), 'PR_SET_DUMPABLE 1')
# exec would reset dumpability to 1 (and with it the owner of /proc/self).
with self.assertRaises(PermissionError):
    os.execv('/usr/bin/python3', ['python3', '-c', 'pass'])
pid = os.fork()
if pid == 0:
    try:
        os.execv('/usr/bin/python3', ['python3', '-c', 'pass'])
    except PermissionError:
        os._exit(3)
    os._exit(4)
self.assertEqual(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), 3)
self.assertEqual(open('/proc/self/oom_score_adj').read().strip(), '1000')`);
    assertPassed(await run('', attack));
  });

  it('case 39: result pipes held in flight in an SCM_RIGHTS cycle do not stall the job end', async () => {
    // Both ends of a socketpair sent through each other, carrying the output and result pipes:
    // no process holds them, yet they are never closed, so the pipes never reach EOF.
    const cycle = `import array, os, socket
def trap():
    a, b = socket.socketpair()
    fds = array.array('i', [a.fileno(), b.fileno(), 1, 2, 3])
    a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    b.sendmsg([b'y'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [b.fileno(), a.fileno()]))])
    a.close()
    b.close()
    return True
`;
    for (let i = 0; i < 2; i++) {
      const result = await run(cycle, probeTests('self.assertTrue(trap())'), {
        ...LIMITS,
        wallSeconds: 3,
      });
      assertPassed(result);
    }
    assertPassed(await run(''));
    assert.equal(sut.stats().crashes, 0);
  });

  it('case 43: the job cannot start a session of its own or leave its CPU, and its CPU time counts every process', async () => {
    const attack = probeTests(`import os, time
with self.assertRaises(PermissionError):
    os.setsid()
with self.assertRaises(PermissionError):
    os.sched_setaffinity(0, range(os.cpu_count()))
self.assertEqual(len(os.sched_getaffinity(0)), 1)
self.assertEqual(os.sched_getaffinity(0), os.sched_getaffinity(1))
# A child that burns CPU and is never waited for: its time must still be reported.
pid = os.fork()
if pid == 0:
    while True:
        pass
ticks = os.sysconf('SC_CLK_TCK')
while True:
    fields = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    if (int(fields[11]) + int(fields[12])) / ticks >= 0.6:
        break
    time.sleep(0.02)`);
    const result = await run('', attack);
    assertPassed(result);
    assert.ok(
      (result.cpuMs ?? 0) >= 600,
      `reported ${result.cpuMs} ms of CPU for at least 600 ms used`,
    );
  });

  it('case 40: a NUL in the output and lone surrogates in messages come back as storable text', async () => {
    const result = await run(
      "def attack():\n    print('nul \\x00 here')\n    raise ValueError('\\ud800 \\udfff')\n",
      probeTests('attack()'),
    );
    assert.equal(result.verdict, 'tests_failed');
    const json = JSON.stringify(result.feedback);
    assert.equal(json.includes('\\u0000'), false, json);
    const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const strings = [
      result.feedback.summary,
      result.feedback.output,
      ...result.feedback.tests.flatMap((t) => [t.name, t.message]),
    ];
    assert.deepEqual(
      strings.filter((text) => lone.test(text)),
      [],
    );
    assert.match(result.feedback.tests[0].message, /ValueError: \ufffd \ufffd/);
  });

  it('case 41: forged result lines up to the 1 MiB cap become at most 1,000 stored tests', async () => {
    const result = await run(
      'import os\ndef attack():\n    os.write(3, b\'{"e":"test"}\\n\' * 80000)\n',
      probeTests('attack()'),
    );
    assert.equal(result.verdict, 'tests_failed');
    assert.ok(result.feedback.tests.length <= 1000, `${result.feedback.tests.length} tests`);
    assert.ok(Buffer.byteLength(JSON.stringify(result.feedback)) <= 300 * 1024);
  });

  it('case 44: AF_VSOCK and other socket families are refused; the ones Python needs work', async () => {
    const probe = probeTests(`import errno, socket
for family in (40, 17, 38, 44, 4, 5, 29):   # AF_VSOCK, AF_PACKET, AF_ALG, AF_XDP, AF_IPX, AF_APPLETALK, AF_CAN
    with self.assertRaises(OSError) as caught:
        socket.socket(family, socket.SOCK_STREAM if family == 40 else socket.SOCK_RAW)
    self.assertEqual(caught.exception.errno, errno.EAFNOSUPPORT, family)
with self.assertRaises(OSError):
    socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
socket.socketpair()[0].close()
self.assertIn('lo', [name for _, name in socket.if_nameindex()])`);
    assertPassed(await run('', probe));
  });
});

describe('job isolation: the zygote self-check', () => {
  let sut: SandboxPool;

  before(async () => {
    // Without seccomp the calls of cases 32 and 33 reach the zygote: what the self-check is for.
    sut = new SandboxPool({ slots: 1, seccomp: false });
    await sut.start();
  });

  after(async () => {
    await sut.close();
  });

  it('case 35: a job that changed its zygote is flagged, and the slot is replaced before the next job', async () => {
    const attack = probeTests(`import os, resource
resource.prlimit(1, resource.RLIMIT_DATA, (256 << 20, 256 << 20))
os.setpriority(os.PRIO_PROCESS, 1, 7)`);
    const poisoned = await sut.run({
      code: '',
      moduleName: 'sub',
      testCode: attack,
      limits: LIMITS,
    });
    assertPassed(poisoned);
    assert.equal(poisoned.slotIntact, false);

    const check = probeTests(`import os
self.assertEqual(os.getpriority(os.PRIO_PROCESS, 1), 0)
self.assertRegex(open('/proc/1/limits').read(), r'Max data size +unlimited')`);
    const next = await sut.run({ code: '', moduleName: 'sub', testCode: check, limits: LIMITS });
    assertPassed(next);
    assert.equal(next.slotIntact, true);
    assert.equal(sut.stats().retired, 1);
    assert.equal(sut.stats().crashes, 0);
  });
});

describe('job isolation: two slots', () => {
  it(
    'case 43: each slot is pinned to a CPU of its own when there are enough',
    { skip: availableParallelism() < 2 },
    async () => {
      const sut = new SandboxPool({ slots: 2 });
      await sut.start();
      try {
        const probe = probeTests(`import os, time
time.sleep(0.3)
print(sorted(os.sched_getaffinity(0)))`);
        const job = () => sut.run({ code: '', moduleName: 'sub', testCode: probe, limits: LIMITS });
        const [a, b] = await Promise.all([job(), job()]);
        assertPassed(a);
        assertPassed(b);
        assert.notEqual(a.feedback.output, b.feedback.output);
      } finally {
        await sut.close();
      }
    },
  );
});

describe('job isolation: the kill-everything guard', () => {
  it('case 45: the zygote refuses to start unless it is PID 1 of its namespace', async () => {
    const args = bwrapArgs({
      pythonPath: '/usr/bin/python3',
      zygoteSource: readFileSync(join(__dirname, 'zygote.py'), 'utf8'),
    }).filter((arg) => arg !== '--as-pid-1');
    // Still in a PID namespace of its own (bubblewrap is its PID 1): were the guard missing, the
    // kill-everything step could reach only that namespace.
    assert.ok(args.includes('--unshare-all'));
    const child = spawn('/usr/bin/bwrap', args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {},
      ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (c) => resolve(c)),
    );
    clearTimeout(timer);
    assert.equal(code, 78, stderr);
    assert.match(stderr, /must run as PID 1/);
    assert.equal(stdout, '');
  });
});
