import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_LIMITS,
  MAX_STDIN_BYTES,
  parseProgramTests,
  type AssignmentLimits,
} from '@koodi/contracts';
import { bwrapArgs } from './bwrap-command';
import { SandboxCrashError } from './sandbox-crash.error';
import { SandboxSlot } from './sandbox.slot';
import type {
  SandboxJob,
  SandboxLogger,
  SandboxPoolOptions,
  SandboxPoolStats,
  SandboxResult,
} from './sandbox.types';
import { buildJobSeccompFilter, buildSeccompFilter, seccompSupported } from './seccomp-filter';
import { NoRunnerStartError, judge, parseEvents, splitLimits } from './verdict.mapper';
import { encodePayload, type JobHeader } from './zygote-protocol';

const MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
const NOBODY = 65534;

interface Waiter {
  job: SandboxJob;
  resolve: (result: SandboxResult) => void;
  reject: (error: Error) => void;
}

/**
 * N bubblewrap sandboxes, each a warm python3 zygote that forks one child per job.
 * Jobs queue in arrival order; a crashed sandbox is restarted and its job fails with
 * SandboxCrashError so the caller can retry it.
 */
export class SandboxPool {
  private readonly slots: SandboxSlot[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly logger?: SandboxLogger;
  private readonly settings: Required<
    Omit<SandboxPoolOptions, 'logger' | 'hostUid' | 'hostGid' | 'zygotePath'>
  >;
  private readonly hostUid?: number;
  private readonly hostGid?: number;
  private readonly zygoteSource: string;
  private readonly seccomp?: Buffer;
  private readonly jobSeccomp?: Buffer;
  private readonly restartDelays = new Map<number, number>();
  private started = false;
  private closed = false;
  private completed = 0;
  private crashes = 0;
  private restarts = 0;
  private retired = 0;

  constructor(options: SandboxPoolOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1)
      throw new RangeError('slots must be a positive integer');
    this.logger = options.logger;
    const seccomp = options.seccomp ?? seccompSupported();
    this.settings = {
      slots: options.slots,
      bwrapPath: options.bwrapPath ?? '/usr/bin/bwrap',
      pythonPath: options.pythonPath ?? '/usr/bin/python3',
      seccomp,
      maxProcesses: options.maxProcesses ?? 8,
      maxOpenFiles: options.maxOpenFiles ?? 64,
      maxFileBytes: options.maxFileBytes ?? 1024 * 1024,
      maxResultBytes: options.maxResultBytes ?? 1024 * 1024,
      watchdogGraceMs: options.watchdogGraceMs ?? 3000,
      pinCpus: options.pinCpus ?? true,
    };
    const isRoot = process.getuid?.() === 0;
    this.hostUid =
      options.hostUid === undefined
        ? isRoot
          ? NOBODY
          : undefined
        : (options.hostUid ?? undefined);
    this.hostGid =
      options.hostGid === undefined
        ? isRoot
          ? NOBODY
          : undefined
        : (options.hostGid ?? undefined);
    this.zygoteSource = readFileSync(options.zygotePath ?? join(__dirname, 'zygote.py'), 'utf8');
    if (seccomp) {
      this.seccomp = buildSeccompFilter();
      this.jobSeccomp = buildJobSeccompFilter();
    }
  }

  /** Starts every sandbox; rejects if one cannot start (bubblewrap missing or not permitted). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (let id = 0; id < this.settings.slots; id++) this.slots.push(this.makeSlot(id));
    try {
      await Promise.all(this.slots.map((slot) => slot.start()));
    } catch (error) {
      this.closed = true;
      for (const slot of this.slots) slot.kill();
      throw error;
    }
    this.dispatch();
  }

  run(job: SandboxJob): Promise<SandboxResult> {
    if (this.closed) return Promise.reject(new Error('SandboxPool is closed'));
    if (!this.started) return Promise.reject(new Error('SandboxPool.start() has not been called'));
    try {
      validateJob(job);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<SandboxResult>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops taking jobs, lets running ones finish, then ends every sandbox. */
  async close(): Promise<void> {
    if (this.closed && !this.started) return;
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('SandboxPool is closed'));
    while (this.slots.some((slot) => slot.busy)) await new Promise((r) => setTimeout(r, 10));
    await Promise.all(this.slots.map((slot) => slot.stop()));
    this.started = false;
  }

  stats(): SandboxPoolStats {
    return {
      slots: this.settings.slots,
      ready: this.slots.filter((slot) => slot.alive && !slot.busy).length,
      busy: this.slots.filter((slot) => slot.busy).length,
      queued: this.waiting.length,
      completed: this.completed,
      crashes: this.crashes,
      restarts: this.restarts,
      retired: this.retired,
    };
  }

  private makeSlot(id: number): SandboxSlot {
    const slot = new SandboxSlot(id, {
      bwrapPath: this.settings.bwrapPath,
      args: bwrapArgs({
        pythonPath: this.settings.pythonPath,
        zygoteSource: this.zygoteSource,
        seccompFd: this.seccomp ? 3 : undefined,
        jobSeccomp: this.jobSeccomp,
        slotIndex: this.settings.pinCpus ? id : undefined,
      }),
      seccomp: this.seccomp,
      hostUid: this.hostUid,
      hostGid: this.hostGid,
      startTimeoutMs: 10_000,
      logger: this.logger,
    });
    slot.onExit = (dead, reason) => this.replace(dead, reason);
    return slot;
  }

  /** Called whenever a sandbox process ends, including one that failed to start. */
  private replace(dead: SandboxSlot, reason: string): void {
    if (this.closed) return;
    if (dead.retired) this.retired++;
    else this.crashes++;
    this.logger?.warn(`${reason}; restarting it`);
    // A sandbox that never became ready is likely to fail again: back off up to 5 s.
    const delay = dead.everReady
      ? 0
      : Math.min(5000, Math.max(100, (this.restartDelays.get(dead.id) ?? 0) * 2));
    this.restartDelays.set(dead.id, delay);
    setTimeout(() => {
      if (this.closed) return;
      const fresh = this.makeSlot(dead.id);
      this.slots[dead.id] = fresh;
      fresh.start().then(
        () => {
          this.restarts++;
          this.dispatch();
        },
        (error: Error) => {
          this.logger?.error(`sandbox ${dead.id} failed to restart: ${error.message}`);
          // With no sandbox left, waiting jobs would wait forever: hand them back to be retried.
          if (!this.slots.some((slot) => slot.alive)) {
            for (const waiter of this.waiting.splice(0)) {
              waiter.reject(new SandboxCrashError(`no sandbox is running: ${error.message}`));
            }
          }
        },
      );
    }, delay);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (!slot.alive || slot.busy) continue;
      const waiter = this.waiting.shift() as Waiter;
      this.execute(slot, waiter);
    }
  }

  private execute(slot: SandboxSlot, { job, resolve, reject }: Waiter): void {
    const limits = effectiveLimits(job.limits);
    const program = job.kind === 'program' ? parseProgramTests(job.testCode) : undefined;
    // A program's expected output stays here: it is compared outside the sandbox (program.mapper).
    const tests = program
      ? JSON.stringify({ cases: program.cases.map(({ name, stdin }) => ({ name, stdin })) })
      : job.testCode;
    const { payload, codeBytes } = encodePayload(job.code, job.moduleName, tests, job.stdin);
    const outputBytes = Math.round(limits.outputKb * 1024);
    const header: JobHeader = {
      ...(program ? { kind: 'program' as const } : {}),
      payloadBytes: payload.length,
      codeBytes,
      limits: {
        cpuSeconds: limits.cpuSeconds,
        wallMs: Math.round(limits.wallSeconds * 1000),
        memoryBytes: Math.round(limits.memoryMb * 1024 * 1024),
        outputBytes,
        // Each run of a program reports its stdout (base64) in the result stream.
        resultBytes:
          this.settings.maxResultBytes +
          (program ? program.cases.length * Math.ceil((outputBytes * 4) / 3 + 1024) : 0),
        fileBytes: this.settings.maxFileBytes,
        processes: this.settings.maxProcesses,
        openFiles: this.settings.maxOpenFiles,
      },
    };
    slot
      .run(header, payload, header.limits.wallMs + this.settings.watchdogGraceMs)
      .then(
        (run) => {
          try {
            const events = parseEvents(run.results);
            const judgement = judge({
              events,
              output: run.output,
              end: run.end,
              limits,
              maxProcesses: this.settings.maxProcesses,
              code: job.code,
              program,
            });
            this.completed++;
            const unserved = splitLimits(events);
            resolve({
              ...judgement,
              durationMs: run.durationMs,
              cpuMs: run.end.allCpuSeconds * 1000,
              slotIntact: !run.end.zygoteChanged?.length,
              ...(unserved.length ? { splitLimits: unserved } : {}),
            });
          } catch (error) {
            if (error instanceof NoRunnerStartError) {
              // The child never got to run: the zygote and we disagree about the stream.
              slot.kill();
              reject(
                new SandboxCrashError(`sandbox ${slot.id}: job did not start`, { cause: error }),
              );
            } else {
              reject(error as Error);
            }
          }
        },
        (error: Error) => reject(new SandboxCrashError(error.message, { cause: error })),
      )
      .finally(() => this.dispatch());
  }
}

/** Below this the warm interpreter itself cannot run: the address space limit counts it too. */
const MIN_MEMORY_MB = 64;

/**
 * The limits as enforced: clamped to MAX_LIMITS, CPU in whole seconds (RLIMIT_CPU's unit),
 * memory at least MIN_MEMORY_MB.
 */
function effectiveLimits(limits: AssignmentLimits): AssignmentLimits {
  return {
    cpuSeconds: Math.max(1, Math.ceil(Math.min(limits.cpuSeconds, MAX_LIMITS.cpuSeconds))),
    wallSeconds: Math.min(limits.wallSeconds, MAX_LIMITS.wallSeconds),
    memoryMb: Math.max(MIN_MEMORY_MB, Math.min(limits.memoryMb, MAX_LIMITS.memoryMb)),
    outputKb: Math.min(limits.outputKb, MAX_LIMITS.outputKb),
  };
}

function validateJob(job: SandboxJob): void {
  if (typeof job.code !== 'string' || typeof job.testCode !== 'string')
    throw new TypeError('code and testCode must be strings');
  // The child writes stdin into one pipe before the code starts: more would block it.
  if (
    job.stdin !== undefined &&
    (typeof job.stdin !== 'string' || Buffer.byteLength(job.stdin, 'utf8') > MAX_STDIN_BYTES)
  ) {
    throw new TypeError(`stdin must be a string of at most ${MAX_STDIN_BYTES} bytes`);
  }
  if (job.kind !== undefined && job.kind !== 'function' && job.kind !== 'program')
    throw new TypeError(`kind ${JSON.stringify(job.kind)} is not function or program`);
  if (job.kind === 'program') parseProgramTests(job.testCode);
  if (!MODULE_NAME.test(job.moduleName))
    throw new TypeError(`moduleName ${JSON.stringify(job.moduleName)} is not a Python identifier`);
  for (const key of ['cpuSeconds', 'wallSeconds', 'memoryMb', 'outputKb'] as const) {
    const value = job.limits?.[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`limits.${key} must be a positive number`);
  }
}
