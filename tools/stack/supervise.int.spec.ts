// The stack runner keeps serving through its own faults: a grader and an API replica killed
// while students read and submit through NGINX come back (new pid, healthy), nothing fails to
// read, and every accepted submission ends graded. NGINX itself killed comes back too, and the
// workers of the killed master do not linger.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { scratchDatabase, type ScratchDatabase } from '../migrate/scratch-database.ts';
import {
  insertAssignment,
  ONE_TESTS,
  readWhile,
  rowsByCode,
  signIn,
  submitWhile,
  type Post,
  type ReadResults,
} from './load.fixtures.ts';
import { childPids, freePort, isAlive, waitFor } from './processes.ts';
import { stackRedisUrl, startStack, type RunningStack } from './stack.ts';
import { findProgram } from './system.ts';

const serverUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!serverUrl || !redisUrl) throw new Error('DATABASE_URL and REDIS_URL must be set');

const STUDENTS = 300;
const KILL_GRADER_AT_MS = 1_000;
const KILL_API_AT_MS = 2_000;
/** Load runs at least this long, and on until both killed processes are back. */
const MIN_LOAD_MS = 5_000;
const BACK_WITHIN_MS = 60_000;
const FINAL_WITHIN_MS = 120_000;

async function healthy(port: number | undefined): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

describe('the stack restarts what exits, under load', () => {
  let scratch: ScratchDatabase;
  let url: string;
  let stack: RunningStack;
  let assignmentId: string;
  const log: string[] = [];
  const crashLoops: string[] = [];

  before(async () => {
    scratch = await scratchDatabase(serverUrl!, 'koodi_supervise');
    url = scratch.url;
    assignmentId = await insertAssignment(url, 'supervise', ONE_TESTS);
    stack = await startStack({
      name: 'supervise',
      port: await freePort(),
      databaseUrl: url,
      redisUrl: stackRedisUrl(redisUrl, 'supervise', false),
      nginx: findProgram('nginx')!,
      apiReplicas: 2,
      graders: 2,
      log: (line) => log.push(line),
      onCrashLoop: (name) => crashLoops.push(name),
      nginxSubmissionRate: '1000r/s',
      env: {
        RATE_LIMIT_IP_PER_MINUTE: '0',
        GRADING_QUEUE: 'grading:supervise',
        // A killed grader's leased jobs go back to the queue within seconds.
        RECONCILE_AFTER_SECONDS: '3',
        RECONCILE_INTERVAL_SECONDS: '1',
        HEARTBEAT_TTL_MS: '2000',
      },
    });
  });

  after(async () => {
    await stack?.stop();
    await scratch?.drop();
  });

  it('serves throughout a grader and an API replica killed; both come back', async () => {
    const base = stack.url.replace('localhost', '127.0.0.1');
    const cookies = await signIn(base, STUDENTS);
    const grader = stack.processes.get('grader-1')!;
    const api = stack.processes.get('api-1')!;
    const timers = [
      setTimeout(() => grader.kill('SIGKILL'), KILL_GRADER_AT_MS),
      setTimeout(() => api.kill('SIGKILL'), KILL_API_AT_MS),
    ];
    const started = Date.now();
    const back = (name: string, old: number | undefined) =>
      stack.state(name) === 'running' && stack.processes.get(name)!.pid !== old;
    const going = () =>
      Date.now() - started < MIN_LOAD_MS ||
      (Date.now() - started < BACK_WITHIN_MS &&
        !(back('grader-1', grader.pid) && back('api-1', api.pid)));

    const reads: ReadResults = { ok: 0, failed: [] };
    const posts: Post[] = [];
    const next = { index: 0 };
    try {
      await Promise.all([
        readWhile(base, cookies[0], going, reads),
        readWhile(base, cookies[1], going, reads),
        readWhile(base, cookies[2], going, reads),
        ...Array.from({ length: 6 }, () =>
          submitWhile(base, assignmentId, cookies.slice(3), next, going, posts, 10),
        ),
      ]);
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }

    assert.equal(grader.signalCode, 'SIGKILL', 'grader-1 was killed during the load');
    assert.equal(api.signalCode, 'SIGKILL', 'api-1 was killed during the load');
    assert.ok(back('grader-1', grader.pid), 'grader-1 was started again');
    assert.ok(back('api-1', api.pid), 'api-1 was started again');
    assert.equal(stack.restarts('grader-1'), 1);
    assert.equal(stack.restarts('api-1'), 1);
    assert.equal(stack.restarts('grader-2') + stack.restarts('api-2'), 0, 'the others stayed');
    assert.ok(await healthy(stack.opsPorts.get('grader-1')), 'the new grader-1 is healthy');
    assert.ok(await healthy(stack.opsPorts.get('api-1')), 'the new api-1 is healthy');
    assert.ok(log.some((line) => /^grader-1 exited unexpectedly \(signal SIGKILL\)/.test(line)));
    assert.ok(log.some((line) => /^api-1 restarted \(pid \d+\)$/.test(line)));
    assert.deepEqual(crashLoops, []);

    assert.ok(reads.ok > 100, `reads kept flowing (${reads.ok})`);
    assert.deepEqual(reads.failed, [], 'no read through NGINX failed');
    const accepted = posts.filter((post) => post.status === 202);
    const byStatus: Record<string, number> = {};
    for (const post of posts) byStatus[post.status] = (byStatus[post.status] ?? 0) + 1;
    assert.ok(accepted.length > 50, `submissions were accepted (${JSON.stringify(byStatus)})`);
    // A POST cut off inside the killed replica answers 502 (never retried by NGINX).
    for (const post of posts)
      assert.ok([202, 502].includes(post.status as number), `POST answered ${post.status}`);

    const byCode = await rowsByCode(url);
    for (const post of accepted) assert.equal(byCode.get(post.code), 1, 'one row per submission');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      let pending = -1;
      await waitFor(
        'every submission final',
        async () => {
          const { rows } = await client.query(
            "SELECT count(*)::int AS n FROM submissions WHERE status IN ('queued', 'grading')",
          );
          pending = rows[0].n;
          return pending === 0;
        },
        FINAL_WITHIN_MS,
      ).catch((error) => assert.fail(`${(error as Error).message}: ${pending} still pending`));
      const { rows } = await client.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM submissions GROUP BY status',
      );
      console.log(
        `supervise: reads ok ${reads.ok}; POSTs ${JSON.stringify(byStatus)}; ` +
          `final ${JSON.stringify(Object.fromEntries(rows.map((r) => [r.status, r.n])))}`,
      );
      // Every one is the reference solution: a killed grader may cost a re-run, never a verdict.
      assert.deepEqual(
        rows.map((row) => row.status),
        ['passed'],
      );
    } finally {
      await client.end();
    }
  });

  it('restarts NGINX and leaves none of the killed master’s workers behind', async () => {
    const base = stack.url.replace('localhost', '127.0.0.1');
    const master = stack.processes.get('nginx')!;
    const workers = childPids(master.pid!);
    assert.ok(workers.length > 0, 'NGINX has workers');

    master.kill('SIGKILL');
    await waitFor(
      'NGINX back',
      async () => stack.state('nginx') === 'running' && stack.processes.get('nginx') !== master,
      BACK_WITHIN_MS,
    );

    const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    assert.equal(response.status, 200);
    await waitFor('old workers gone', async () => !workers.some(isAlive), 5_000).catch(() =>
      assert.fail(`workers still alive: ${workers.filter(isAlive).join(', ')}`),
    );
  });
});
