// `npm start` from a checkout inside a folder only its owner may enter (as a clone under /root or
// in a `mktemp -d` folder is). As root, PostgreSQL runs as `postgres` and NGINX's workers as
// `nobody`; neither may enter such a checkout, so their files must live elsewhere. This copies
// the checkout into a 0700 folder, starts it for real, and checks that it serves, grades, lets
// the tools find it, restarts a killed grader, and that Ctrl+C stops exactly what it started.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { apiRoutes } from '@koodi/contracts';
import { freePort, isAlive, stopProcess, waitFor } from './processes.ts';
import { checkoutSystemPath, ROOT } from './services.ts';

const START_WITHIN_MS = 8 * 60_000;
const isRoot = process.getuid?.() === 0;

/** The checkout as a clone would have it: tracked and new files, not what .gitignore hides. */
function copyCheckout(target: string): void {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    },
  )
    .toString()
    .split('\0')
    .filter((file) => file && existsSync(join(ROOT, file)));
  const pack = spawnSync('tar', ['-cf', '-', '--null', '-T', '-'], {
    cwd: ROOT,
    input: listed.join('\0'),
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (pack.status !== 0) throw new Error(`tar failed: ${pack.stderr}`);
  execFileSync('mkdir', ['-p', target]);
  const unpack = spawnSync('tar', ['-xf', '-', '-C', target], { input: pack.stdout });
  if (unpack.status !== 0) throw new Error(`untar failed: ${unpack.stderr}`);
  // Installed packages and the build cache are hard links: same files, no copy, no npm ci.
  for (const dir of ['node_modules', 'apps/web/node_modules', '.nx/cache']) {
    if (!existsSync(join(ROOT, dir))) continue;
    execFileSync('mkdir', ['-p', join(target, dir, '..')]);
    execFileSync('cp', ['-al', join(ROOT, dir), join(target, dir)]);
  }
}

function runTool(
  clone: string,
  tool: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(clone, tool)], {
      cwd: clone,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** This test's environment without the services it was given: the clone must find its own. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  delete env.PORT;
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return { ...env, ...extra };
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

interface CloneState {
  stack: { pid: number; databaseUrl: string; processes: Record<string, number> } | null;
  services: { postgres: { pid: number; dataDir?: string }; redis: { pid: number } } | null;
}

describe('npm start from a checkout in a private (0700) folder', { timeout: 12 * 60_000 }, () => {
  let folder: string;
  let clone: string;
  let port: number;
  let runner: ChildProcess | undefined;
  let runnerLog: string;
  let exited: Promise<number | null>;
  const seenPids = new Set<number>();

  const state = (): CloneState => ({
    stack: readJson(join(clone, '.data/stack.json')),
    services: readJson(join(clone, '.data/services.json')),
  });
  const remember = () => {
    const { stack, services } = state();
    for (const pid of Object.values(stack?.processes ?? {})) seenPids.add(pid);
    if (services) for (const pid of [services.postgres.pid, services.redis.pid]) seenPids.add(pid);
  };

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'koodi-private-'));
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    clone = join(folder, 'koodi');
    copyCheckout(clone);
  });

  after(async () => {
    // On every exit, whatever happened above: end the runner, then anything it left behind.
    if (runner && runner.exitCode === null && runner.signalCode === null) {
      runner.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      if (runner.exitCode === null) runner.kill('SIGKILL');
    }
    if (clone) remember();
    for (const pid of seenPids) await stopProcess(pid, 5_000);
    if (clone && isRoot) rmSync(checkoutSystemPath(clone), { recursive: true, force: true });
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('content:sync and migrate say to run npm start when none runs, and exit non-zero', async () => {
    const sync = await runTool(clone, 'tools/content/sync.ts');
    assert.equal(sync.code, 2, sync.stderr);
    assert.match(sync.stderr, /DATABASE_URL and REDIS_URL are not set and no Koodi is running/);
    assert.match(sync.stderr, /npm start/);
    const migrate = await runTool(clone, 'tools/migrate/main.ts');
    assert.equal(migrate.code, 2, migrate.stderr);
    assert.match(migrate.stderr, /DATABASE_URL is not set and no Koodi is running/);
  });

  it('starts, and answers /api/health and the web app through NGINX', async () => {
    port = await freePort();
    runnerLog = join(folder, 'npm-start.log');
    const out = openSync(runnerLog, 'a');
    runner = spawn(process.execPath, [join(clone, 'tools/stack/start.ts')], {
      cwd: clone,
      env: cleanEnv({ PORT: String(port) }),
      stdio: ['ignore', out, out],
    });
    exited = new Promise((resolve) => runner!.once('exit', (code) => resolve(code)));
    const log = () => readFileSync(runnerLog, 'utf8');
    await waitFor(
      'npm start',
      async () => /Koodi is running at/.test(log()),
      START_WITHIN_MS,
      runner,
    ).catch((error) => assert.fail(`${(error as Error).message}\n${log().slice(-4000)}`));
    remember();

    const health = await fetch(`http://127.0.0.1:${port}${apiRoutes.health()}`);
    assert.equal(health.status, 200, await health.text());
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);

    if (isRoot) {
      const dataDir = state().services?.postgres.dataDir ?? '';
      assert.ok(
        dataDir.startsWith(checkoutSystemPath(clone)),
        `PostgreSQL's files are outside the checkout (${dataDir})`,
      );
      assert.match(log(), /PostgreSQL's files are in \/var\/lib\/koodi\//);
      assert.match(
        log(),
        /NGINX's web files and temporary files: \/var\/lib\/koodi\/[0-9a-f]{16}\/nginx-stack/,
      );
    }
  });

  it('grades a large submission (its body goes through NGINX temporary files)', async () => {
    const base = `http://127.0.0.1:${port}`;
    const me = await fetch(base + apiRoutes.me());
    await me.arrayBuffer();
    const cookie = me.headers.getSetCookie()[0].split(';')[0];
    const client = new pg.Client({ connectionString: state().stack!.databaseUrl });
    await client.connect();
    const { rows: assignments } = await client.query<{ id: string; starter_code: string }>(
      'SELECT id, starter_code FROM assignments ORDER BY position LIMIT 1',
    );
    assert.equal(assignments.length, 1, 'content was synced');
    // Well over NGINX's in-memory body buffer, well under the API's 64 KB code limit.
    const code = `${assignments[0].starter_code}\n# ${'x'.repeat(40_000)}\n`;
    const post = await fetch(base + apiRoutes.submissions(assignments[0].id), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    assert.equal(post.status, 202, await post.text());

    try {
      let status = '';
      await waitFor(
        'a verdict',
        async () => {
          const { rows } = await client.query(
            'SELECT status FROM submissions ORDER BY created_at DESC LIMIT 1',
          );
          status = rows[0]?.status ?? '';
          return !['', 'queued', 'grading'].includes(status);
        },
        60_000,
      );
      // The starter code fails its tests: graded in the sandbox, not an infrastructure error.
      assert.equal(status, 'failed');
    } finally {
      await client.end();
    }
  });

  it('content:sync and migrate find the running stack by themselves', async () => {
    const sync = await runTool(clone, 'tools/content/sync.ts');
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /using the database and Redis of the running npm start \(pid \d+/);
    assert.match(sync.stdout, /assignments: \d+ created, \d+ updated, \d+ unchanged/);
    const migrate = await runTool(clone, 'tools/migrate/main.ts');
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /schema up to date/);
  });

  it('restarts a killed grader', async () => {
    const before = state().stack!.processes['grader-1'];
    process.kill(before, 'SIGKILL');
    await waitFor(
      'grader-1 restarted',
      async () => {
        const now = state().stack?.processes['grader-1'];
        return now !== undefined && now !== before && isAlive(now);
      },
      60_000,
    );
    remember();
    assert.match(
      readFileSync(runnerLog, 'utf8'),
      /grader-1 exited unexpectedly \(signal SIGKILL\)/,
    );
    const health = await fetch(`http://127.0.0.1:${port}${apiRoutes.health()}`);
    assert.equal(health.status, 200);
  });

  it('Ctrl+C stops everything it started and nothing else', async () => {
    remember();
    const mine = [...seenPids];
    runner!.kill('SIGINT');
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), 90_000)),
    ]);
    assert.equal(code, 0);
    for (const pid of mine) assert.ok(!isAlive(pid), `pid ${pid} was stopped`);
    assert.ok(!existsSync(join(clone, '.data/stack.json')), 'the stack is no longer recorded');
    // The services this test run was given are untouched.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  });
});
