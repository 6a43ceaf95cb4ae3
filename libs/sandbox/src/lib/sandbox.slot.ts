import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { SandboxLogger } from './sandbox.types';
import {
  FrameReader,
  encodeJob,
  type FrameKind,
  type JobHeader,
  type ZygoteEnd,
} from './zygote-protocol';

export interface SlotLaunch {
  bwrapPath: string;
  args: string[];
  seccomp?: Buffer;
  hostUid?: number;
  hostGid?: number;
  startTimeoutMs: number;
  logger?: SandboxLogger;
}

/** What one job produced, before it is judged. */
export interface SlotRun {
  end: ZygoteEnd;
  output: Buffer;
  results: Buffer;
  durationMs: number;
}

interface ActiveJob {
  resolve: (run: SlotRun) => void;
  reject: (error: Error) => void;
  output: Buffer[];
  outputBytes: number;
  outputCap: number;
  results: Buffer[];
  resultBytes: number;
  resultCap: number;
  startedAt: bigint;
  watchdog: NodeJS.Timeout;
}

/** One bubblewrap sandbox running the zygote; one job at a time. */
export class SandboxSlot {
  private child?: ChildProcess;
  private active?: ActiveJob;
  private stderrTail = '';
  private exited = false;
  private ready = false;
  private retiring = false;
  /** Called once when the sandbox process ends, for whatever reason. */
  onExit: (slot: SandboxSlot, reason: string) => void = () => undefined;

  constructor(
    readonly id: number,
    private readonly launch: SlotLaunch,
  ) {}

  get busy(): boolean {
    return this.active !== undefined;
  }

  /** Started, answered, not exited since, and not being replaced. */
  get alive(): boolean {
    return this.ready && !this.exited && !this.retiring;
  }

  /** A job changed this sandbox's zygote: it takes no further job and is being killed. */
  get retired(): boolean {
    return this.retiring;
  }

  /** Whether this sandbox ever became ready (a crash of a working one is not a failed start). */
  get everReady(): boolean {
    return this.ready;
  }

  start(): Promise<void> {
    const { launch } = this;
    return new Promise<void>((resolve, reject) => {
      const stdio: Array<'pipe' | 'ignore'> = ['pipe', 'pipe', 'pipe'];
      if (launch.seccomp) stdio.push('pipe');
      const child = spawn(launch.bwrapPath, launch.args, {
        stdio,
        env: {},
        cwd: '/',
        uid: launch.hostUid,
        gid: launch.hostGid,
      });
      this.child = child;
      const timer = setTimeout(() => {
        if (!this.ready) {
          child.kill('SIGKILL');
          reject(
            new Error(
              `sandbox ${this.id} did not start within ${launch.startTimeoutMs} ms: ${this.stderrTail}`,
            ),
          );
        }
      }, launch.startTimeoutMs);
      const frames = new FrameReader((kind, data) => {
        if (kind === 'Y' && !this.ready) {
          this.ready = true;
          clearTimeout(timer);
          resolve();
          return;
        }
        this.onFrame(kind, data);
      });
      (child.stdout as Readable).on('data', (chunk: Buffer) => frames.push(chunk));
      (child.stderr as Readable).on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
        launch.logger?.warn(`sandbox ${this.id}: ${chunk.toString('utf8').trimEnd()}`);
      });
      (child.stdin as Writable).on('error', () => undefined);
      const ended = (reason: string) => {
        if (this.exited) return;
        this.exited = true;
        clearTimeout(timer);
        if (!this.ready) reject(new Error(reason));
        this.failActive(new Error(reason));
        this.onExit(this, reason);
      };
      child.on('error', (error) => {
        // Spawning failed (no process, so no 'exit' will follow), or killing it did.
        if (child.pid === undefined)
          ended(`sandbox ${this.id} could not start ${launch.bwrapPath}: ${error.message}`);
        else launch.logger?.error(`sandbox ${this.id}: ${error.message}`);
      });
      child.on('exit', (code, signal) => {
        ended(
          `sandbox ${this.id} exited (${signal ?? `code ${code}`})${this.stderrTail ? `: ${this.stderrTail.trim()}` : ''}`,
        );
      });
      if (launch.seccomp) {
        const fd3 = child.stdio[3] as Writable;
        fd3.on('error', () => undefined);
        fd3.end(launch.seccomp);
      }
    });
  }

  run(header: JobHeader, payload: Buffer, watchdogMs: number): Promise<SlotRun> {
    if (!this.alive) return Promise.reject(new Error(`sandbox ${this.id} is not running`));
    if (this.active) return Promise.reject(new Error(`sandbox ${this.id} is busy`));
    return new Promise<SlotRun>((resolve, reject) => {
      this.active = {
        resolve,
        reject,
        output: [],
        outputBytes: 0,
        outputCap: header.limits.outputBytes,
        results: [],
        resultBytes: 0,
        resultCap: header.limits.resultBytes,
        startedAt: process.hrtime.bigint(),
        watchdog: setTimeout(() => {
          this.launch.logger?.error(
            `sandbox ${this.id}: no answer within ${watchdogMs} ms, killing it`,
          );
          this.kill();
        }, watchdogMs),
      };
      (this.child?.stdin as Writable).write(encodeJob(header, payload));
    });
  }

  kill(): void {
    if (this.child && !this.exited) this.child.kill('SIGKILL');
  }

  /** Ends the zygote by closing its input; kills it if it does not leave in time. */
  async stop(timeoutMs = 2000): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      (child.stdin as Writable).end();
    });
  }

  private onFrame(kind: FrameKind, data: Buffer): void {
    const job = this.active;
    if (!job) {
      this.launch.logger?.error(`sandbox ${this.id}: frame ${kind} outside a job, restarting it`);
      this.kill();
      return;
    }
    if (kind === 'O') {
      // The zygote caps output already; this bounds our memory even if it did not.
      if (job.outputBytes < job.outputCap) job.output.push(Buffer.from(data));
      job.outputBytes += data.length;
    } else if (kind === 'R') {
      if (job.resultBytes < job.resultCap) job.results.push(Buffer.from(data));
      job.resultBytes += data.length;
    } else if (kind === 'D') {
      clearTimeout(job.watchdog);
      this.active = undefined;
      let end: ZygoteEnd;
      try {
        end = JSON.parse(data.toString('utf8')) as ZygoteEnd;
      } catch (error) {
        job.reject(new Error(`sandbox ${this.id}: unreadable end frame`, { cause: error }));
        this.kill();
        return;
      }
      if (end.zygoteChanged?.length) {
        // The zygote exits by itself after such a job; killing it too means no later job can
        // reach it even if it did not.
        this.retiring = true;
        this.launch.logger?.warn(
          `sandbox ${this.id}: a job changed its zygote (${end.zygoteChanged.join(', ')}), replacing it`,
        );
        this.kill();
      }
      job.resolve({
        end,
        output: Buffer.concat(job.output),
        results: Buffer.concat(job.results),
        durationMs: Number(process.hrtime.bigint() - job.startedAt) / 1e6,
      });
    } else {
      this.launch.logger?.error(`sandbox ${this.id}: unexpected frame ${kind}, restarting it`);
      this.kill();
    }
  }

  private failActive(error: Error): void {
    const job = this.active;
    if (!job) return;
    this.active = undefined;
    clearTimeout(job.watchdog);
    job.reject(error);
  }
}
