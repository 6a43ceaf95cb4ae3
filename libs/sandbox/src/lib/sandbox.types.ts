import type { AssignmentKind, AssignmentLimits, Feedback, Verdict } from '@koodi/contracts';

/** One grading run: the student's code, the module name the tests import it by, the tests. */
export interface SandboxJob {
  /**
   * `function` (the default): testCode is a unittest file importing the code as `moduleName`.
   * `program`: the code runs as a whole program once per case and testCode is the cases as
   * stored (ProgramTests JSON, see @koodi/contracts); only their stdin enters the sandbox.
   */
  kind?: AssignmentKind;
  code: string;
  moduleName: string;
  testCode: string;
  limits: AssignmentLimits;
  /** What the code reads on stdin (at most MAX_STDIN_BYTES); absent: an empty stdin. */
  stdin?: string;
}

export interface SandboxResult {
  verdict: Verdict;
  feedback: Feedback;
  /** Wall-clock time of the job as seen by the pool, queueing excluded. */
  durationMs: number;
  /** CPU time (user + system) of every process of the job, waited for or not; always set by SandboxPool. */
  cpuMs?: number;
  /**
   * False when the sandbox's zygote was found changed after this job (see ZygoteEnd.zygoteChanged):
   * the job attacked its sandbox, so its verdict must not be shared with anyone else. The slot is
   * replaced before it runs another job. Always set by SandboxPool.
   */
  slotIntact?: boolean;
  /**
   * Set when the tests did something the runner cannot serve faithfully with the submission in a
   * separate process: `subclass` (a class of the submission used as a base class) or `identity`
   * (an assertIs failed on equal values, one a copy that crossed between the processes).
   */
  splitLimits?: string[];
}

export interface SandboxLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SandboxPoolOptions {
  /** Number of sandboxes, each running one job at a time. */
  slots: number;
  /** Default /usr/bin/bwrap. */
  bwrapPath?: string;
  /** Default /usr/bin/python3. Its prefix (/usr) is bound read-only into the sandbox. */
  pythonPath?: string;
  logger?: SandboxLogger;
  /**
   * Host uid/gid bubblewrap runs as. Default: 65534 (nobody) when this process is root, so the
   * sandbox never maps to root on the host; otherwise the current user. Set `null` to keep root.
   */
  hostUid?: number | null;
  hostGid?: number | null;
  /** Apply the seccomp filter (default true on x64 and arm64). */
  seccomp?: boolean;
  /**
   * Per-sandbox process limit (RLIMIT_NPROC: threads count, and so does the zygote). Default 8.
   * Memory is limited per process, so a job can hold at most (maxProcesses - 1) x memoryMb.
   */
  maxProcesses?: number;
  /** Per-job open-file limit (RLIMIT_NOFILE). Default 64. */
  maxOpenFiles?: number;
  /** Largest file a job may write (RLIMIT_FSIZE; the filesystem is read-only, this bounds memfds), bytes. Default 1 MiB. */
  maxFileBytes?: number;
  /** Cap on the structured result stream of one job, bytes. Default 1 MiB. */
  maxResultBytes?: number;
  /** Extra wall time the pool grants a sandbox beyond the job's limit before killing it. Default 3000. */
  watchdogGraceMs?: number;
  /** Override the zygote source path (default: zygote.py beside this file). */
  zygotePath?: string;
  /**
   * Pin each sandbox to one CPU (slot i to the i-th CPU this process may use, round-robin), so a
   * job that keeps all its processes busy competes only with the slots pinned to the same CPU.
   * Default true.
   */
  pinCpus?: boolean;
}

export interface SandboxPoolStats {
  slots: number;
  ready: number;
  busy: number;
  queued: number;
  completed: number;
  crashes: number;
  restarts: number;
  /** Sandboxes replaced because a job changed their zygote. */
  retired: number;
}
