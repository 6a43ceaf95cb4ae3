// Running commands for the image tools: argv arrays only, output inherited or captured.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunOptions {
  allowFailure?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command with inherited output; rejects on a non-zero exit unless allowFailure. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<void> {
  console.log(`$ ${[command, ...args].join(' ')}`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      stdio: 'inherit',
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0 || options.allowFailure) resolvePromise();
      else
        reject(
          new Error(`${command} ${args.slice(0, 3).join(' ')} … exited with ${code ?? signal}`),
        );
    });
  });
}

/** Runs a command and returns its standard output; rejects with its error output on failure. */
export function runQuiet(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 || options.allowFailure) resolvePromise(out);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} exited with ${code}: ${err.trim() || out.trim()}`,
          ),
        );
    });
  });
}

export async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await runQuiet(command, args);
    return true;
  } catch {
    return false;
  }
}

export function which(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function canInstallWithApt(): boolean {
  return process.getuid?.() === 0 && which('apt-get') !== null;
}

export async function aptInstall(packages: string[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
}
