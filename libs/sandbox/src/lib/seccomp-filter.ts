/**
 * A classic-BPF seccomp program for bubblewrap's `--seccomp FD`: system calls a graded submission
 * has no use for and that widen the kernel's attack surface fail with EPERM; system calls of a
 * foreign ABI (i386 via int 0x80, x32) kill the process, since their numbers mean other calls.
 */

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_RET_K = 0x06;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const EPERM = 1;
const X32_SYSCALL_BIT = 0x40000000;

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
] as const;

type DeniedSyscall = (typeof DENIED_SYSCALLS)[number];

interface ArchTable {
  audit: number;
  x32Bit: boolean;
  numbers: Record<DeniedSyscall, number>;
}

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
  },
};

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
  },
};

const TABLES: Partial<Record<string, ArchTable>> = { x64: X86_64, arm64: AARCH64 };

export function seccompSupported(arch: string = process.arch): boolean {
  return TABLES[arch] !== undefined;
}

/** The program as the raw `struct sock_filter[]` bytes bubblewrap reads from its fd. */
export function buildSeccompFilter(arch: string = process.arch): Buffer {
  const table = TABLES[arch];
  if (!table) throw new Error(`No seccomp table for CPU architecture ${arch}`);
  const numbers = DENIED_SYSCALLS.map((name) => table.numbers[name]);

  type Insn = [code: number, jt: number, jf: number, k: number];
  const program: Insn[] = [];
  // Layout: header, one compare per denied call, then ALLOW, ERRNO, KILL.
  const headerLength = table.x32Bit ? 4 : 3;
  const allowAt = headerLength + numbers.length;
  const errnoAt = allowAt + 1;
  const killAt = allowAt + 2;

  program.push([BPF_LD_W_ABS, 0, 0, 4]); // seccomp_data.arch
  program.push([BPF_JEQ_K, 0, killAt - 2, table.audit]);
  program.push([BPF_LD_W_ABS, 0, 0, 0]); // seccomp_data.nr
  if (table.x32Bit) program.push([BPF_JGE_K, killAt - 4, 0, X32_SYSCALL_BIT]);
  for (const nr of numbers) {
    const at = program.length;
    program.push([BPF_JEQ_K, errnoAt - at - 1, 0, nr]);
  }
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW]);
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM]);
  program.push([BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS]);

  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    if (jt > 255 || jf > 255) throw new Error('seccomp program too long for 8-bit jumps');
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return bytes;
}
