// `npm start`: the whole of Koodi at http://localhost:8080 (PORT to change it).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeStackState, writeStackState } from './local-stack.ts';
import { isAlive, isPortFree } from './processes.ts';
import { DATA_DIR, ensureDatabase, ensureServices } from './services.ts';
import { stackRedisUrl, startStack } from './stack.ts';
import { migrateDatabase, NX, progress, run, syncContent } from './steps.ts';
import { ensurePrograms, RUNTIME_PROGRAMS } from './system.ts';

const port = Number(process.env.PORT ?? 8080);
const lockFile = join(DATA_DIR, 'start.pid');
mkdirSync(DATA_DIR, { recursive: true });
const holder = existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8')) : 0;
if (holder && isAlive(holder)) {
  console.error(
    `Koodi is already running (npm start, pid ${holder}). Stop it with Ctrl+C in its terminal first.`,
  );
  process.exit(1);
}
writeFileSync(lockFile, String(process.pid));

const p = progress(6);
let announced = false;
const cleanup: Array<() => Promise<void>> = [];
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Koodi…');
  for (const step of cleanup.reverse()) await step().catch((error) => console.error(error));
  removeStackState();
  rmSync(lockFile, { force: true });
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// Closing the terminal: its processes get SIGHUP; stop cleanly rather than leave orphans.
process.on('SIGHUP', () => void shutdown(0));

try {
  p.step('Checking system programs');
  const programs = ensurePrograms(RUNTIME_PROGRAMS, p.log);
  p.log(`found ${[...programs.keys()].join(', ')}`);
  if (!(await isPortFree(port)))
    throw new Error(`port ${port} is in use; set PORT to another port`);

  p.step('Starting PostgreSQL and Redis');
  const services = await ensureServices(p.log);
  if (services.started) cleanup.push(services.stop);

  p.step('Migrating the database');
  const url = services.external
    ? process.env.DATABASE_URL!
    : await ensureDatabase(services.postgresServerUrl, 'koodi');
  p.log(await migrateDatabase(url));

  p.step('Building (cached after the first time)');
  if ((await run(NX, ['run-many', '-t', 'build', '--output-style=static'])) !== 0)
    throw new Error('the build failed');

  p.step('Syncing assignments from content/');
  const redisUrl = stackRedisUrl(services.redisUrl, 'stack', services.external);
  const env = { ...process.env, DATABASE_URL: url, REDIS_URL: redisUrl };
  if ((await syncContent(env)) !== 0) throw new Error('content sync failed');

  p.step('Starting API replicas, graders and NGINX');
  const stack = await startStack({
    name: 'stack',
    port,
    databaseUrl: url,
    redisUrl,
    nginx: programs.get('nginx')!,
    apiReplicas: 2,
    graders: 2,
    // After the start every line is about a process that exited or came back: timestamped.
    log: (line) => (announced ? console.log(`${new Date().toISOString()} ${line}`) : p.log(line)),
    // One process exiting is restarted; one that keeps exiting needs a person to look at it.
    onCrashLoop: (_name, message) => {
      console.error(`\nStopping Koodi: ${message}`);
      void shutdown(1);
    },
    onChange: (processes) => announced && record(processes),
  });
  cleanup.push(stack.stop);
  // Kept up to date on every restart, for the tools that look for this stack (and for fault tests).
  const record = (processes: Map<string, ChildProcess>) => {
    if (stopping) return;
    writeStackState({
      pid: process.pid,
      url: stack.url,
      databaseUrl: url,
      redisUrl,
      processes: Object.fromEntries([...processes].map(([name, child]) => [name, child.pid!])),
    });
  };
  announced = true;
  record(stack.processes);
  console.log(
    `\nKoodi is running at ${stack.url}  (ready in ${p.elapsed()}; logs in .data/stack/; Ctrl+C stops)\n` +
      'A process that exits is restarted; `npm run content:sync` and `npm run migrate` use this stack.',
  );
} catch (error) {
  console.error(`\nCould not start Koodi: ${(error as Error).message}`);
  await shutdown(1);
}
