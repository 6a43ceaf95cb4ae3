// `npm test`: lint, unit, integration, end-to-end and several-host tests, starting what they need.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { freePort, isPortFree } from './processes.ts';
import { ensureDatabase, ensureServices, ROOT } from './services.ts';
import { stackRedisUrl, startStack } from './stack.ts';
import { migrateDatabase, NX, progress, syncContent } from './steps.ts';
import { countLine, emptyCounts } from './test-counts.ts';
import { ensurePrograms, TEST_PROGRAMS } from './system.ts';

const counts = emptyCounts();
const failures: string[] = [];

/** Runs a command, echoing its output and counting the test runners' summary lines. */
function runCounted(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  command = NX,
): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        countLine(line, counts);
        (stream === child.stdout ? process.stdout : process.stderr).write(`${line}\n`);
      });
    }
    child.on('exit', (code) => {
      if (code !== 0) failures.push(`${label} (exit ${code})`);
      resolve();
    });
  });
}

const p = progress(7);
p.step('Checking system programs');
const programs = ensurePrograms(TEST_PROGRAMS, p.log);
p.log(`found ${[...programs.keys()].join(', ')}`);

p.step('Starting PostgreSQL and Redis');
const services = await ensureServices(p.log);
const serverUrl = services.external ? process.env.DATABASE_URL! : services.postgresServerUrl;
const testDatabase = services.external
  ? process.env.DATABASE_URL!
  : await ensureDatabase(serverUrl, 'koodi_test');
p.log(await migrateDatabase(testDatabase));
const env = {
  ...process.env,
  DATABASE_URL: testDatabase,
  REDIS_URL: services.redisUrl,
  CHROMIUM_PATH: programs.get('chromium')!,
};

try {
  p.step('Lint and unit tests (nx run-many -t lint test)');
  await runCounted(
    'lint and test',
    ['run-many', '-t', 'lint', 'test', '--output-style=stream'],
    env,
  );

  p.step('Integration tests against PostgreSQL and Redis (nx run-many -t test-int)');
  await runCounted('test-int', ['run-many', '-t', 'test-int', '--output-style=stream'], env);

  p.step('End-to-end: the whole stack behind NGINX, in Chromium');
  // A database of its own, new each run, so the browser tests start from a clean slate.
  const e2eDatabase = services.external
    ? testDatabase
    : await ensureDatabase(serverUrl, 'koodi_e2e', true);
  p.log(await migrateDatabase(e2eDatabase));
  const e2eRedisUrl = stackRedisUrl(services.redisUrl, 'e2e', services.external);
  const e2eEnv = { ...env, DATABASE_URL: e2eDatabase, REDIS_URL: e2eRedisUrl };
  if ((await syncContent(e2eEnv)) !== 0) failures.push('content sync');
  const port = Number(process.env.PORT ?? 8080);
  const stack = await startStack({
    name: 'e2e',
    port: (await isPortFree(port)) ? port : await freePort(),
    databaseUrl: e2eDatabase,
    redisUrl: e2eRedisUrl,
    nginx: programs.get('nginx')!,
    apiReplicas: 2,
    graders: 2,
    log: p.log,
  });
  try {
    await runCounted('e2e', ['run-many', '-t', 'e2e', '--output-style=stream'], {
      ...e2eEnv,
      BASE_URL: stack.url,
    });
  } finally {
    await stack.stop();
  }

  // Its own PostgreSQL and Redis on hosts of their own; skipped (and counted so) when not root.
  p.step('Several hosts on one machine (npm run test:hosts)');
  await runCounted('hosts', ['tools/hosts/main.ts'], env, process.execPath);
} catch (error) {
  failures.push((error as Error).message);
} finally {
  p.step('Stopping what the tests started');
  if (services.started) await services.stop();
}

console.log(
  `\n${failures.length ? 'FAILED: ' + failures.join('; ') : 'All test targets succeeded'} (${p.elapsed()})`,
);
if (counts.passed + counts.failed === 0) {
  console.log('No test was executed: that is a failure.');
  failures.push('no tests');
}
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failures.length || counts.failed ? 1 : 0);
