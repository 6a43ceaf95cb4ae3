import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { databaseUrl, redisUrl } from './grading.fixtures';

/** The built grader: `nx test-int grader` builds it first. */
const MAIN = resolve(__dirname, '../../../dist/main.js');

export interface GraderProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/main.js` as its own process and resolves once it is taking jobs. */
export async function startGraderProcess(
  env: Record<string, string>,
  startTimeoutMs = 20_000,
): Promise<GraderProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: databaseUrl(),
      REDIS_URL: redisUrl(),
      GRADER_SLOTS: '1',
      RUN_SLOTS: '0',
      OPS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const deadline = Date.now() + startTimeoutMs;
  while (!output.includes('taking jobs from')) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`grader did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, output: () => output, exited };
}

/** Ends a grader a test started, however it is doing; resolves when it has exited. */
export async function killGraderProcess(grader: GraderProcess | undefined): Promise<void> {
  if (!grader || grader.child.exitCode !== null || grader.child.signalCode !== null) return;
  grader.child.kill('SIGKILL');
  await grader.exited;
}
