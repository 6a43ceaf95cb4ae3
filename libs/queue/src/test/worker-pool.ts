import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerSettings } from './consumer.worker';

export interface WorkerMessage {
  type: 'ready' | 'started';
  id?: string;
  attempt?: number;
}

/** A consumer child process (see consumer.worker.ts). */
export class Worker {
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;

  constructor(
    readonly consumerId: string,
    settings: Omit<WorkerSettings, 'CONSUMER_ID'>,
    onMessage: (message: WorkerMessage, worker: Worker) => void = () => undefined,
  ) {
    this.child = fork(join(__dirname, 'consumer.worker.js'), [], {
      env: { ...process.env, ...settings, CONSUMER_ID: consumerId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve();
        onMessage(message, this);
      });
      this.child.once('exit', (code, signal) =>
        reject(new Error(`worker ${consumerId} exited (${code ?? signal}) before ready`)),
      );
    });
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Graceful stop (SIGTERM → server.close()), with SIGKILL as the bound. */
  async stop(timeoutMs = 5_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
