import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DENIED_SYSCALLS,
  JOB_DENIED_SYSCALLS,
  SELF_ONLY_SYSCALLS,
  auditArch,
  buildJobSeccompFilter,
  buildSeccompFilter,
  syscallNumber,
} from './seccomp-filter';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const EAFNOSUPPORT = 0x00050061;
const KILL = 0x80000000;

/** Runs a classic-BPF seccomp program the way the kernel does, over one `seccomp_data`. */
function evaluate(program: Buffer, arch: number, nr: number, args: bigint[] = []): number {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(nr >>> 0, 0);
  data.writeUInt32LE(arch >>> 0, 4);
  args.forEach((arg, i) => data.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + 8 * i));
  let a = 0;
  for (let pc = 0; pc < program.length / 8;) {
    const code = program.readUInt16LE(pc * 8);
    const jt = program.readUInt8(pc * 8 + 2);
    const jf = program.readUInt8(pc * 8 + 3);
    const k = program.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) a = data.readUInt32LE(k);
    else if (code === 0x54) a = (a & k) >>> 0;
    else if (code === 0x15) pc += a === k ? jt : jf;
    else if (code === 0x35) pc += a >= k ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unknown instruction ${code.toString(16)}`);
    pc++;
  }
  throw new Error('the program ran off its end');
}

for (const arch of ['x64', 'arm64']) {
  describe(`seccomp filters (${arch})`, () => {
    const audit = auditArch(arch);
    const nr = (name: Parameters<typeof syscallNumber>[0]) => syscallNumber(name, arch);
    const sandbox = buildSeccompFilter(arch);
    const job = buildJobSeccompFilter(arch);
    const run = (name: Parameters<typeof syscallNumber>[0], ...args: number[]) =>
      evaluate(sandbox, audit, nr(name), args.map(BigInt));

    it('kills a foreign architecture and allows what it does not name', () => {
      assert.equal(evaluate(sandbox, 0x40000003, 1), KILL);
      assert.equal(evaluate(job, 0x40000003, 1), KILL);
      assert.equal(evaluate(sandbox, audit, 0), ALLOW);
      assert.equal(evaluate(job, audit, 0), ALLOW);
      if (arch === 'x64') assert.equal(evaluate(sandbox, audit, 0x40000000 + 1), KILL);
    });

    it('denies every listed call, SysV IPC and message queues among them', () => {
      for (const name of DENIED_SYSCALLS) assert.equal(run(name), EPERM, name);
      for (const name of ['shmget', 'semget', 'msgget', 'mq_open'] as const)
        assert.equal(run(name), EPERM, name);
    });

    it('lets prlimit64 and sched_set* act on the caller (pid 0) only', () => {
      for (const name of SELF_ONLY_SYSCALLS) {
        assert.equal(run(name, 0, 0), ALLOW, name);
        assert.equal(run(name, 1, 0), EPERM, name);
        assert.equal(run(name, 12345, 0), EPERM, name);
      }
    });

    it('lets setpriority and ioprio_set act on the calling process only', () => {
      assert.equal(run('setpriority', 0, 0, 10), ALLOW);
      assert.equal(run('setpriority', 0, 1, 10), EPERM);
      assert.equal(run('setpriority', 1, 0, 10), EPERM); // PRIO_PGRP
      assert.equal(run('setpriority', 2, 0, 10), EPERM); // PRIO_USER: every process of our uid
      assert.equal(run('ioprio_set', 1, 0, 0), ALLOW);
      assert.equal(run('ioprio_set', 1, 1, 0), EPERM);
      assert.equal(run('ioprio_set', 3, 0, 0), EPERM); // IOPRIO_WHO_USER
    });

    it('allows PR_SET_DUMPABLE 0 only, and other prctl options', () => {
      assert.equal(run('prctl', 4, 0), ALLOW);
      assert.equal(run('prctl', 4, 1), EPERM);
      assert.equal(run('prctl', 4, 2), EPERM);
      assert.equal(evaluate(sandbox, audit, nr('prctl'), [4n, 1n << 32n]), EPERM);
      assert.equal(run('prctl', 38, 1), ALLOW); // PR_SET_NO_NEW_PRIVS
      assert.equal(run('prctl', 22, 2), ALLOW); // PR_SET_SECCOMP
    });

    it('allows the socket families Python needs and nothing else', () => {
      const SOCK_STREAM = 1;
      const SOCK_DGRAM = 2;
      const SOCK_RAW = 3;
      const CLOEXEC_NONBLOCK = 0o2000000 | 0o4000;
      assert.equal(run('socket', 1, SOCK_STREAM, 0), ALLOW);
      assert.equal(run('socket', 1, SOCK_DGRAM | CLOEXEC_NONBLOCK, 0), ALLOW);
      for (const family of [2, 10]) {
        assert.equal(run('socket', family, SOCK_STREAM, 0), ALLOW);
        assert.equal(run('socket', family, SOCK_STREAM | CLOEXEC_NONBLOCK, 6), ALLOW);
        assert.equal(run('socket', family, SOCK_DGRAM, 17), ALLOW);
        assert.equal(run('socket', family, SOCK_RAW, 1), EPERM);
        assert.equal(run('socket', family, SOCK_DGRAM, 1), EPERM); // ICMP
        assert.equal(run('socket', family, SOCK_STREAM, 132), EPERM); // SCTP
      }
      assert.equal(run('socket', 16, SOCK_DGRAM, 0), ALLOW); // netlink route
      assert.equal(run('socket', 16, SOCK_DGRAM, 9), EPERM); // netlink audit
      for (const family of [40, 17, 4, 5, 9, 29, 38, 44]) {
        // AF_VSOCK, AF_PACKET, AF_IPX, AF_APPLETALK, AF_X25, AF_CAN, AF_ALG, AF_XDP
        assert.equal(run('socket', family, SOCK_STREAM, 0), EAFNOSUPPORT, `family ${family}`);
      }
      assert.equal(run('socketpair', 1, SOCK_STREAM, 0), ALLOW);
      assert.equal(run('socketpair', 40, SOCK_STREAM, 0), EAFNOSUPPORT);
    });

    it('the job filter refuses exec, setsid and sched_setaffinity and nothing else it names', () => {
      for (const name of JOB_DENIED_SYSCALLS)
        assert.equal(evaluate(job, audit, nr(name)), EPERM, name);
      assert.equal(evaluate(job, audit, nr('prctl')), ALLOW);
      assert.equal(evaluate(job, audit, nr('socket')), ALLOW);
    });
  });
}

describe(buildSeccompFilter.name, () => {
  it('refuses an architecture it has no syscall table for', () => {
    assert.throws(() => buildSeccompFilter('ia32'));
    assert.throws(() => buildJobSeccompFilter('ia32'));
  });
});
