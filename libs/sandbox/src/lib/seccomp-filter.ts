/**
 * Classic-BPF seccomp programs.
 *
 * The sandbox filter goes to bubblewrap's `--seccomp FD` and so binds the zygote and every job:
 * system calls a graded submission has no use for and that widen the kernel's attack surface fail
 * with EPERM; calls that could reach another process of the same uid (the zygote is one) act only
 * on the caller; SysV IPC and POSIX message queues, whose objects would outlive a job, are refused;
 * sockets are limited to the families Python needs. System calls of a foreign ABI (i386 via
 * int 0x80, x32) kill the process, since their numbers mean other calls.
 *
 * The job filter is stacked on top by the zygote in each job's process right after fork (see
 * zygote.py): it refuses what the zygote itself needs at start-up but a job must not do: exec (it
 * would make the process dumpable again), setsid (a new session is a new scheduler autogroup, a
 * larger share of the CPU) and sched_setaffinity (the slot's CPU pin).
 */

const BPF_LD_W_ABS = 0x20;
const BPF_ALU_AND_K = 0x54;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const EAFNOSUPPORT = 97;
const X32_SYSCALL_BIT = 0x40000000;

/** Offsets in `struct seccomp_data` (little-endian: the low word of an argument comes first). */
const NR_OFFSET = 0;
const ARCH_OFFSET = 4;
const argLow = (i: number) => 16 + 8 * i;
const argHigh = (i: number) => 16 + 8 * i + 4;

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;
const SOCK_TYPE_MASK = 0xf;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_IP = 0;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const PRIO_PROCESS = 0;
const IOPRIO_WHO_PROCESS = 1;
const PR_SET_DUMPABLE = 4;

// prettier-ignore
/** Denied system calls, by name. */
export const DENIED_SYSCALLS = [
  'ptrace', 'process_vm_readv', 'process_vm_writev', 'pidfd_getfd',
  'keyctl', 'add_key', 'request_key',
  'unshare', 'setns', 'mount', 'umount2', 'pivot_root', 'chroot',
  'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr',
  'io_uring_setup', 'io_uring_enter', 'io_uring_register',
  'bpf', 'perf_event_open', 'userfaultfd', 'fanotify_init',
  'name_to_handle_at', 'open_by_handle_at',
  'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module',
  'acct', 'swapon', 'swapoff', 'reboot', 'sethostname', 'setdomainname', 'quotactl',
  'lookup_dcookie',
  // SysV IPC and POSIX message queues: their objects live in the slot's IPC namespace, not in
  // the job, so they would carry data (and unlimited shared memory) from one job to the next.
  'shmget', 'shmat', 'shmctl', 'shmdt', 'semget', 'semop', 'semctl', 'semtimedop',
  'msgget', 'msgsnd', 'msgrcv', 'msgctl',
  'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
] as const;

/** Allowed only with a pid argument (the first) of 0, which means the calling process. */
// prettier-ignore
export const SELF_ONLY_SYSCALLS = [
  'prlimit64', 'sched_setscheduler', 'sched_setparam', 'sched_setattr', 'sched_setaffinity',
] as const;

/** Refused in a job's process (the job filter). */
export const JOB_DENIED_SYSCALLS = ['execve', 'execveat', 'setsid', 'sched_setaffinity'] as const;

/** Allowed or refused by their arguments (see buildSeccompFilter). */
type ArgumentChecked = 'setpriority' | 'ioprio_set' | 'prctl' | 'socket' | 'socketpair';

type SyscallName =
  | (typeof DENIED_SYSCALLS)[number]
  | (typeof SELF_ONLY_SYSCALLS)[number]
  | (typeof JOB_DENIED_SYSCALLS)[number]
  | ArgumentChecked;

interface ArchTable {
  audit: number;
  x32Bit: boolean;
  numbers: Record<SyscallName, number>;
}

// prettier-ignore
const X86_64: ArchTable = {
  audit: 0xc000003e,
  x32Bit: true,
  numbers: {
    ptrace: 101, process_vm_readv: 310, process_vm_writev: 311, pidfd_getfd: 438,
    keyctl: 250, add_key: 248, request_key: 249,
    unshare: 272, setns: 308, mount: 165, umount2: 166, pivot_root: 155, chroot: 161,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433,
    mount_setattr: 442,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    bpf: 321, perf_event_open: 298, userfaultfd: 323, fanotify_init: 300,
    name_to_handle_at: 303, open_by_handle_at: 304,
    kexec_load: 246, kexec_file_load: 320, init_module: 175, finit_module: 313, delete_module: 176,
    acct: 163, swapon: 167, swapoff: 168, reboot: 169, sethostname: 170, setdomainname: 171,
    quotactl: 179, lookup_dcookie: 212,
    shmget: 29, shmat: 30, shmctl: 31, shmdt: 67, semget: 64, semop: 65, semctl: 66, semtimedop: 220,
    msgget: 68, msgsnd: 69, msgrcv: 70, msgctl: 71,
    mq_open: 240, mq_unlink: 241, mq_timedsend: 242, mq_timedreceive: 243, mq_notify: 244, mq_getsetattr: 245,
    prlimit64: 302, sched_setscheduler: 144, sched_setparam: 142, sched_setattr: 314, sched_setaffinity: 203,
    setpriority: 141, ioprio_set: 251, prctl: 157, socket: 41, socketpair: 53,
    execve: 59, execveat: 322, setsid: 112,
  },
};

// prettier-ignore
const AARCH64: ArchTable = {
  audit: 0xc00000b7,
  x32Bit: false,
  numbers: {
    ptrace: 117, process_vm_readv: 270, process_vm_writev: 271, pidfd_getfd: 438,
    keyctl: 219, add_key: 217, request_key: 218,
    unshare: 97, setns: 268, mount: 40, umount2: 39, pivot_root: 41, chroot: 51,
    open_tree: 428, move_mount: 429, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433,
    mount_setattr: 442,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    bpf: 280, perf_event_open: 241, userfaultfd: 282, fanotify_init: 262,
    name_to_handle_at: 264, open_by_handle_at: 265,
    kexec_load: 104, kexec_file_load: 294, init_module: 105, finit_module: 273, delete_module: 106,
    acct: 89, swapon: 224, swapoff: 225, reboot: 142, sethostname: 161, setdomainname: 162,
    quotactl: 60, lookup_dcookie: 18,
    shmget: 194, shmat: 196, shmctl: 195, shmdt: 197, semget: 190, semop: 193, semctl: 191, semtimedop: 192,
    msgget: 186, msgsnd: 189, msgrcv: 188, msgctl: 187,
    mq_open: 180, mq_unlink: 181, mq_timedsend: 182, mq_timedreceive: 183, mq_notify: 184, mq_getsetattr: 185,
    prlimit64: 261, sched_setscheduler: 119, sched_setparam: 118, sched_setattr: 274, sched_setaffinity: 122,
    setpriority: 140, ioprio_set: 30, prctl: 167, socket: 198, socketpair: 199,
    execve: 221, execveat: 281, setsid: 157,
  },
};

const TABLES: Partial<Record<string, ArchTable>> = { x64: X86_64, arm64: AARCH64 };

export function seccompSupported(arch: string = process.arch): boolean {
  return TABLES[arch] !== undefined;
}

function tableOf(arch: string): ArchTable {
  const table = TABLES[arch];
  if (!table) throw new Error(`No seccomp table for CPU architecture ${arch}`);
  return table;
}

/** A jump target: an instruction index once resolved, or a label name. */
type Target = number | string;
interface Insn {
  code: number;
  jt: Target;
  jf: Target;
  k: number;
}

/** A tiny assembler: forward jumps to named labels, resolved (and range-checked) at the end. */
class Program {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  label(name: string): void {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.insns.length);
  }

  load(offset: number): void {
    this.insns.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k: offset });
  }

  and(mask: number): void {
    this.insns.push({ code: BPF_ALU_AND_K, jt: 0, jf: 0, k: mask });
  }

  /** if (A == k) goto jt else goto jf; 0 means the next instruction. */
  jeq(k: number, jt: Target, jf: Target = 0): void {
    this.insns.push({ code: BPF_JEQ_K, jt, jf, k });
  }

  jge(k: number, jt: Target, jf: Target = 0): void {
    this.insns.push({ code: BPF_JGE_K, jt, jf, k });
  }

  ret(action: number): void {
    this.insns.push({ code: BPF_RET_K, jt: 0, jf: 0, k: action });
  }

  bytes(): Buffer {
    const out = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      const offset = (target: Target): number => {
        if (typeof target === 'number') return target;
        const at = this.labels.get(target);
        if (at === undefined) throw new Error(`undefined label ${target}`);
        const jump = at - i - 1;
        if (jump < 0) throw new Error(`backward jump to ${target}`);
        if (jump > 255) throw new Error('seccomp program too long for 8-bit jumps');
        return jump;
      };
      out.writeUInt16LE(insn.code, i * 8);
      out.writeUInt8(offset(insn.jt), i * 8 + 2);
      out.writeUInt8(offset(insn.jf), i * 8 + 3);
      out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
    });
    if (this.insns.length > 4096) throw new Error('seccomp program longer than BPF_MAXINSNS');
    return out;
  }
}

const ALLOW = SECCOMP_RET_ALLOW;
const DENY = SECCOMP_RET_ERRNO | EPERM;
const NO_FAMILY = SECCOMP_RET_ERRNO | EAFNOSUPPORT;

/** Architecture check and syscall number load; foreign ABIs jump to `kill`. */
function header(p: Program, table: ArchTable, kill: string): void {
  p.load(ARCH_OFFSET);
  p.jeq(table.audit, 0, kill);
  p.load(NR_OFFSET);
  if (table.x32Bit) p.jge(X32_SYSCALL_BIT, kill);
}

/** The sandbox filter as the raw `struct sock_filter[]` bytes bubblewrap reads from its fd. */
export function buildSeccompFilter(arch: string = process.arch): Buffer {
  const table = tableOf(arch);
  const n = table.numbers;
  const p = new Program();
  header(p, table, 'kill');
  for (const name of DENIED_SYSCALLS) p.jeq(n[name], 'deny');
  for (const name of SELF_ONLY_SYSCALLS) p.jeq(n[name], 'self-only');
  p.jeq(n.setpriority, 'setpriority');
  p.jeq(n.ioprio_set, 'ioprio_set');
  p.jeq(n.prctl, 'prctl');
  p.jeq(n.socket, 'socket');
  p.jeq(n.socketpair, 'socketpair');
  p.ret(ALLOW);
  p.label('deny');
  p.ret(DENY);
  p.label('kill');
  p.ret(SECCOMP_RET_KILL_PROCESS);

  // pid_t arguments are ints: the kernel reads only the low word, so only it is checked.
  p.label('self-only');
  p.load(argLow(0));
  p.jeq(0, 0, 'self-only-deny');
  p.ret(ALLOW);
  p.label('self-only-deny');
  p.ret(DENY);

  // setpriority(which, who, prio): PRIO_PROCESS of pid 0 only (PRIO_USER 0 would be every
  // process of our uid, the zygote included).
  p.label('setpriority');
  p.load(argLow(0));
  p.jeq(PRIO_PROCESS, 0, 'setpriority-deny');
  p.load(argLow(1));
  p.jeq(0, 0, 'setpriority-deny');
  p.ret(ALLOW);
  p.label('setpriority-deny');
  p.ret(DENY);

  p.label('ioprio_set');
  p.load(argLow(0));
  p.jeq(IOPRIO_WHO_PROCESS, 0, 'ioprio-deny');
  p.load(argLow(1));
  p.jeq(0, 0, 'ioprio-deny');
  p.ret(ALLOW);
  p.label('ioprio-deny');
  p.ret(DENY);

  // prctl(PR_SET_DUMPABLE, 0) stays possible (the zygote makes itself non-dumpable); any other
  // value would reopen /proc/self to writes (oom_score_adj, autogroup) and core dumps. The value
  // is an unsigned long the kernel reads whole, so both words must be zero.
  p.label('prctl');
  p.load(argLow(0));
  p.jeq(PR_SET_DUMPABLE, 0, 'prctl-allow');
  p.load(argLow(1));
  p.jeq(0, 0, 'prctl-deny');
  p.load(argHigh(1));
  p.jeq(0, 'prctl-allow', 'prctl-deny');
  p.label('prctl-allow');
  p.ret(ALLOW);
  p.label('prctl-deny');
  p.ret(DENY);

  // socket(family, type, protocol): AF_UNIX; AF_INET/AF_INET6 streams and datagrams over TCP or
  // UDP; AF_NETLINK for routes (what socket.if_nameindex and getaddrinfo use). Everything else,
  // AF_VSOCK (not isolated by network namespaces) and AF_PACKET among them, is "not supported".
  p.label('socket');
  p.load(argLow(0));
  p.jeq(AF_UNIX, 'socket-allow');
  p.jeq(AF_INET, 'socket-inet');
  p.jeq(AF_INET6, 'socket-inet');
  p.jeq(AF_NETLINK, 0, 'socket-no-family');
  p.load(argLow(2));
  p.jeq(NETLINK_ROUTE, 'socket-allow', 'socket-deny');
  p.label('socket-inet');
  p.load(argLow(1));
  p.and(SOCK_TYPE_MASK);
  p.jeq(SOCK_STREAM, 'socket-inet-protocol');
  p.jeq(SOCK_DGRAM, 'socket-inet-protocol', 'socket-deny');
  p.label('socket-inet-protocol');
  p.load(argLow(2));
  p.jeq(IPPROTO_IP, 'socket-allow');
  p.jeq(IPPROTO_TCP, 'socket-allow');
  p.jeq(IPPROTO_UDP, 'socket-allow', 'socket-deny');
  p.label('socket-allow');
  p.ret(ALLOW);
  p.label('socket-deny');
  p.ret(DENY);
  p.label('socket-no-family');
  p.ret(NO_FAMILY);

  p.label('socketpair');
  p.load(argLow(0));
  p.jeq(AF_UNIX, 0, 'socketpair-deny');
  p.ret(ALLOW);
  p.label('socketpair-deny');
  p.ret(NO_FAMILY);
  return p.bytes();
}

/** The filter each job's process adds on top of the sandbox filter. */
export function buildJobSeccompFilter(arch: string = process.arch): Buffer {
  const table = tableOf(arch);
  const p = new Program();
  header(p, table, 'kill');
  for (const name of JOB_DENIED_SYSCALLS) p.jeq(table.numbers[name], 'deny');
  p.ret(ALLOW);
  p.label('deny');
  p.ret(DENY);
  p.label('kill');
  p.ret(SECCOMP_RET_KILL_PROCESS);
  return p.bytes();
}

/** The number of a system call this module knows, for tests. */
export function syscallNumber(name: SyscallName, arch: string = process.arch): number {
  return tableOf(arch).numbers[name];
}

export function auditArch(arch: string = process.arch): number {
  return tableOf(arch).audit;
}
