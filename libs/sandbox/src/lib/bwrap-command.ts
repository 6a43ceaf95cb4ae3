import { lstatSync, readlinkSync } from 'node:fs';

export interface BwrapCommandOptions {
  pythonPath: string;
  zygoteSource: string;
  /** fd number bubblewrap reads the seccomp program from, if any. */
  seccompFd?: number;
  /** The job filter the zygote stacks on each job's process (see seccomp-filter.ts). */
  jobSeccomp?: Buffer;
  /** Pins the sandbox to one CPU, chosen by this index among the CPUs it may use. */
  slotIndex?: number;
}

/** Top-level entries of a merged-/usr system: symlinks into /usr, or directories to bind. */
const ROOT_ENTRIES = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const HIDDEN_UNDER_USR = ['/usr/local', '/usr/src'];

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The argv (never a shell string) of one sandbox. The sandbox sees /usr read-only, a fresh /proc,
 * a minimal /dev and an empty /tmp, all read-only; nothing of /etc, /home, /root, /work or the grader.
 */
export function bwrapArgs(options: BwrapCommandOptions): string[] {
  if (!options.pythonPath.startsWith('/usr/')) {
    throw new Error(`pythonPath must live under /usr (got ${options.pythonPath})`);
  }
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--as-pid-1',
    '--clearenv',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const entry of ROOT_ENTRIES) {
    let stat;
    try {
      stat = lstatSync(entry);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(entry), entry);
    else if (stat.isDirectory()) args.push('--ro-bind', entry, entry);
  }
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // Nothing is writable: a tmpfs cannot cap its inode count through bubblewrap, so a writable
    // /tmp would let a job pin kernel memory with empty files.
    '--tmpfs',
    '/tmp',
    '--remount-ro',
    '/tmp',
  );
  // /usr/local and /usr/src hold what an image adds on top of the distribution (Node.js, tools,
  // sometimes an application): hidden behind empty read-only mounts.
  for (const hidden of HIDDEN_UNDER_USR) {
    if (isDirectory(hidden)) args.push('--tmpfs', hidden, '--remount-ro', hidden);
  }
  args.push('--remount-ro', '/dev', '--remount-ro', '/', '--chdir', '/', '--cap-drop', 'ALL');
  if (options.seccompFd !== undefined) args.push('--seccomp', String(options.seccompFd));
  // The zygote reads these two from argv (see the top of zygote.py); '-' means none.
  args.push('--', options.pythonPath, '-I', '-B', '-c', options.zygoteSource);
  args.push(options.jobSeccomp ? options.jobSeccomp.toString('hex') : '-');
  args.push(options.slotIndex === undefined ? '-' : String(options.slotIndex));
  return args;
}
