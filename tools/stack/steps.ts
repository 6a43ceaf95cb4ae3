// Shared by `npm start` and `npm test`: numbered progress lines and the build/migrate/sync steps.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../migrate/migrate.ts';
import { ROOT } from './services.ts';

export function progress(total: number) {
  let step = 0;
  const started = Date.now();
  return {
    step(title: string) {
      step += 1;
      console.log(`\n[${step}/${total}] ${title}`);
    },
    log(line: string) {
      console.log(`      ${line}`);
    },
    elapsed() {
      return `${((Date.now() - started) / 1000).toFixed(1)} s`;
    },
  };
}

/** Runs a command in the repository with inherited output; resolves with its exit code. */
export function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env, cwd: ROOT });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

export const NX = join(ROOT, 'node_modules/.bin/nx');

export async function migrateDatabase(databaseUrl: string): Promise<string> {
  const report = await migrate(databaseUrl, join(ROOT, 'infra/flyway/sql'));
  return `${report.applied.length} migrations applied, ${report.alreadyApplied.length} already applied`;
}

/** Syncs content/ into the database once the content tool exists. */
export async function syncContent(env: NodeJS.ProcessEnv): Promise<number> {
  const tool = join(ROOT, 'tools/content/sync.ts');
  if (!existsSync(tool)) return 0;
  return run(process.execPath, [tool], env);
}
