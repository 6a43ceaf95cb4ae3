// Keeps the stack's own processes (API replicas, graders, NGINX) running: one that exits is
// started again after a short backoff while the others keep serving. Only a crash loop — the
// same process exiting again and again — gives up, because restarting it would not help.
import type { ChildProcess } from 'node:child_process';
import { stopProcess } from './processes.ts';

export interface SupervisedProcess {
  name: string;
  /** Starts one incarnation. */
  spawn: () => ChildProcess;
  /** Resolves once that incarnation serves; rejects (or the process exits) when it cannot. */
  ready: (child: ChildProcess) => Promise<void>;
  /** Shown in the crash-loop message. */
  logFile?: string;
  /** How long a stop waits after SIGTERM before SIGKILL. */
  stopGraceMs: number;
  /** Runs after an incarnation is gone, before the next starts (e.g. to end orphaned workers). */
  afterExit?: (child: ChildProcess) => void;
}

export interface CrashLoopPolicy {
  /** This many exits of one process… */
  exits: number;
  /** …within this window is a crash loop. */
  windowMs: number;
}

export const DEFAULT_CRASH_LOOP: CrashLoopPolicy = { exits: 5, windowMs: 60_000 };

export type ProcessState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface SupervisorOptions {
  log: (line: string) => void;
  crashLoop?: CrashLoopPolicy;
  /** Delay before restart number `n` (1-based) within the window. */
  backoffMs?: (n: number) => number;
  /** Called once when a process is given up on (instead of logging it); the others keep running. */
  onCrashLoop?: (name: string, message: string) => void;
  /** Called whenever an incarnation becomes ready (first start and every restart). */
  onChange?: () => void;
}

interface Entry {
  spec: SupervisedProcess;
  child: ChildProcess;
  state: ProcessState;
  exits: number[];
  restarts: number;
  timer?: NodeJS.Timeout;
}

/** 0.25 s, 0.5 s, 1 s, 2 s, … at most 10 s. */
export function defaultBackoffMs(n: number): number {
  return Math.min(10_000, 250 * 2 ** Math.max(0, n - 1));
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

export class Supervisor {
  private readonly entries = new Map<string, Entry>();
  private readonly crashLoop: CrashLoopPolicy;
  private readonly backoffMs: (n: number) => number;
  private stopping = false;
  private readonly options: SupervisorOptions;

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
  }

  /** Starts a process and waits until it is ready; a failed first start throws (no retries). */
  async add(spec: SupervisedProcess): Promise<ChildProcess> {
    if (this.entries.has(spec.name)) throw new Error(`${spec.name} is already supervised`);
    const entry: Entry = { spec, child: spec.spawn(), state: 'starting', exits: [], restarts: 0 };
    this.entries.set(spec.name, entry);
    this.watch(entry, entry.child);
    await spec.ready(entry.child);
    entry.state = 'running';
    this.options.onChange?.();
    return entry.child;
  }

  /** The current incarnation of each process, by name. */
  get processes(): Map<string, ChildProcess> {
    return new Map([...this.entries].map(([name, entry]) => [name, entry.child]));
  }

  state(name: string): ProcessState | undefined {
    return this.entries.get(name)?.state;
  }

  restarts(name: string): number {
    return this.entries.get(name)?.restarts ?? 0;
  }

  /** Stops every process in the given order (names not listed go last); none is restarted. */
  async stop(order: (a: string, b: string) => number = () => 0): Promise<void> {
    this.stopping = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    const names = [...this.entries.keys()].sort(order);
    for (const name of names) {
      const entry = this.entries.get(name)!;
      await stopProcess(entry.child.pid, entry.spec.stopGraceMs);
      entry.spec.afterExit?.(entry.child);
      entry.state = 'stopped';
    }
  }

  private watch(entry: Entry, child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      // While an incarnation starts, `ready` reports its failure instead.
      if (this.stopping || entry.child !== child || entry.state !== 'running') return;
      entry.spec.afterExit?.(child);
      this.exited(entry, describeExit(code, signal));
    });
  }

  private exited(entry: Entry, how: string): void {
    const { name } = entry.spec;
    const now = Date.now();
    entry.exits = entry.exits.filter((at) => now - at < this.crashLoop.windowMs);
    entry.exits.push(now);
    if (entry.exits.length >= this.crashLoop.exits) {
      entry.state = 'failed';
      const message =
        `${name} exited ${entry.exits.length} times within ${this.crashLoop.windowMs / 1000} s ` +
        `(last: ${how}); not restarting it${entry.spec.logFile ? ` (see ${entry.spec.logFile})` : ''}`;
      if (this.options.onCrashLoop) this.options.onCrashLoop(name, message);
      else this.options.log(message);
      return;
    }
    const delay = this.backoffMs(entry.exits.length);
    entry.state = 'restarting';
    this.options.log(
      `${name} exited unexpectedly (${how}); restarting in ${(delay / 1000).toFixed(2)} s ` +
        `(${entry.exits.length} of ${this.crashLoop.exits - 1} restarts allowed per ` +
        `${this.crashLoop.windowMs / 1000} s)`,
    );
    entry.timer = setTimeout(() => void this.restart(entry), delay);
  }

  private async restart(entry: Entry): Promise<void> {
    if (this.stopping) return;
    const { spec } = entry;
    entry.state = 'starting';
    const child = spec.spawn();
    entry.child = child;
    this.watch(entry, child);
    try {
      await spec.ready(child);
    } catch (error) {
      if (this.stopping) return;
      // Not ready in time, or it exited while starting: counts as one more exit.
      await stopProcess(child.pid, 0, 'SIGKILL');
      spec.afterExit?.(child);
      this.exited(entry, `did not start: ${(error as Error).message}`);
      return;
    }
    if (this.stopping) return;
    entry.state = 'running';
    entry.restarts += 1;
    this.options.log(`${spec.name} restarted (pid ${child.pid})`);
    this.options.onChange?.();
    // It may have died between becoming ready and this line.
    if (child.exitCode !== null || child.signalCode !== null) {
      spec.afterExit?.(child);
      this.exited(entry, describeExit(child.exitCode, child.signalCode));
    }
  }
}
