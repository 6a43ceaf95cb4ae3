// What a running `npm start` records about itself in .data/stack.json, so that tools run beside
// it (`npm run content:sync`, `npm run migrate`) find its database and Redis without being told.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from './processes.ts';
import { DATA_DIR } from './services.ts';

export const STACK_STATE_FILE = join(DATA_DIR, 'stack.json');

export interface StackState {
  /** The `npm start` process (node tools/stack/start.ts). */
  pid: number;
  url: string;
  /** The database the stack serves (with its name), and its Redis with the db index. */
  databaseUrl: string;
  redisUrl: string;
  /** The current pid of each process the stack runs (api-1, grader-1, nginx, …). */
  processes: Record<string, number>;
}

export function writeStackState(state: StackState, file = STACK_STATE_FILE): void {
  // Written whole and renamed, so a reader never sees half a file.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(state, null, 2));
  renameSync(partial, file);
}

export function removeStackState(file = STACK_STATE_FILE): void {
  rmSync(file, { force: true });
}

/** The recorded stack, if its `npm start` is still alive. */
export function readRunningStack(file = STACK_STATE_FILE): StackState | null {
  let state: StackState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return null;
  }
  return isAlive(state.pid) ? state : null;
}

export type ServiceVariable = 'DATABASE_URL' | 'REDIS_URL';

export type ServiceEnv =
  | { ok: true; env: Record<ServiceVariable, string | undefined>; source: string }
  | { ok: false; problems: string[] };

const EXAMPLES: Record<ServiceVariable, string> = {
  DATABASE_URL: 'postgres://user:password@localhost:5432/koodi',
  REDIS_URL: 'redis://localhost:6379',
};

/**
 * The service URLs a tool needs. Taken from the environment when any of them is set there (all
 * must be then); otherwise from the `npm start` running in this checkout.
 */
export function serviceEnv(
  needed: readonly ServiceVariable[],
  env: NodeJS.ProcessEnv = process.env,
  file = STACK_STATE_FILE,
): ServiceEnv {
  const given = needed.filter((name) => env[name]);
  if (given.length > 0) {
    const missing = needed.filter((name) => !env[name]);
    if (missing.length > 0)
      return {
        ok: false,
        problems: missing.map((name) => `${name} is not set (e.g. ${EXAMPLES[name]})`),
      };
    return {
      ok: true,
      env: { DATABASE_URL: env.DATABASE_URL, REDIS_URL: env.REDIS_URL },
      source: 'the environment',
    };
  }
  const stack = readRunningStack(file);
  if (!stack) {
    return {
      ok: false,
      problems: [
        `${needed.join(' and ')} ${needed.length > 1 ? 'are' : 'is'} not set and no Koodi is ` +
          'running in this checkout. Start it with `npm start` (in another terminal) and run ' +
          `this again, or set ${needed.join(' and ')} (e.g. ${needed.map((n) => `${n}=${EXAMPLES[n]}`).join(' ')}).`,
      ],
    };
  }
  return {
    ok: true,
    env: { DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl },
    source: `the running npm start (pid ${stack.pid}, ${stack.url})`,
  };
}
