// docs/SECURITY.md case 25: thousands of submissions through the whole stack while a grader is killed and
// Redis restarts with its queue lost. Every accepted submission ends in exactly one final state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { apiRoutes } from '@koodi/contracts';
import { scratchDatabase, type ScratchDatabase } from '../migrate/scratch-database.ts';
import { canConnect, freePort, startLogged, stopProcess, waitFor } from './processes.ts';
import { DATA_DIR } from './services.ts';
import { startStack, type RunningStack } from './stack.ts';
import { findProgram } from './system.ts';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('DATABASE_URL must be set');

const SUBMISSIONS = 2_000;
const FINISH_WITHIN_MS = 180_000;

const TESTS = `import unittest
from one import one

class OneTests(unittest.TestCase):
    def test_one(self):
        self.assertEqual(one(), 1)
`;

/** A Redis of this test's own, so restarting it (and losing its lists) touches nothing else. */
function startRedis(port: number): ChildProcess {
  const redis = findProgram('redis-server')!;
  return startLogged(
    redis,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    join(DATA_DIR, 'soak-redis.log'),
  );
}

describe('soak: grader killed and Redis restarted mid-flow (case 25)', () => {
  let scratch: ScratchDatabase;
  let url: string;
  let redisPort: number;
  let redis: ChildProcess;
  let stack: RunningStack;
  let assignmentId: string;

  before(async () => {
    scratch = await scratchDatabase(serverUrl!, 'koodi_soak');
    url = scratch.url;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      `INSERT INTO assignments (slug, position, title, handout_md, starter_code, module_name, test_code, version)
       VALUES ('soak', 1, 'Soak', 'Return 1.', 'def one():\n    pass\n', 'one', $1, 'v1') RETURNING id`,
      [TESTS],
    );
    await client.end();
    assignmentId = rows[0].id;

    redisPort = await freePort();
    redis = startRedis(redisPort);
    await waitFor('Redis', () => canConnect(redisPort), 15_000, redis);
    stack = await startStack({
      name: 'soak',
      port: await freePort(),
      databaseUrl: url,
      redisUrl: `redis://127.0.0.1:${redisPort}`,
      nginx: findProgram('nginx')!,
      apiReplicas: 1,
      graders: 2,
      log: () => undefined,
      nginxSubmissionRate: '1000r/s',
      env: {
        RATE_LIMIT_IP_PER_MINUTE: '0',
        RATE_LIMIT_SUBMISSIONS_PER_MINUTE: '0',
        RECONCILE_AFTER_SECONDS: '3',
        RECONCILE_INTERVAL_SECONDS: '1',
        HEARTBEAT_TTL_MS: '2000',
        GRADER_SLOTS: '1',
      },
    });
  });

  after(async () => {
    await stack?.stop();
    await stopProcess(redis?.pid);
    await scratch?.drop();
  });

  it('loses nothing and grades nothing twice', async () => {
    const base = stack.url.replace('localhost', '127.0.0.1');
    const accepted: string[] = [];
    const refused: Record<string, number> = {};
    let sent = 0;
    let graderKilled = false;
    let redisRestarted = false;

    async function student() {
      while (sent < SUBMISSIONS) {
        const n = sent++;
        if (!graderKilled && n >= SUBMISSIONS * 0.3) {
          graderKilled = true;
          stack.processes.get('grader-1')!.kill('SIGKILL');
        }
        if (!redisRestarted && n >= SUBMISSIONS * 0.6) {
          redisRestarted = true;
          redis.kill('SIGKILL');
          await new Promise((resolve) => redis.once('exit', resolve));
          redis = startRedis(redisPort);
          await waitFor('Redis', () => canConnect(redisPort), 15_000, redis);
        }
        const code = `def one():\n    return 1  # ${n}-${randomBytes(6).toString('hex')}\n`;
        try {
          const response = await fetch(base + apiRoutes.submissions(assignmentId), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ code }),
            signal: AbortSignal.timeout(10_000),
          });
          await response.arrayBuffer();
          if (response.status === 202) accepted.push(code);
          else refused[response.status] = (refused[response.status] ?? 0) + 1;
        } catch {
          refused['network error'] = (refused['network error'] ?? 0) + 1;
        }
      }
    }
    await Promise.all(Array.from({ length: 8 }, student));
    assert.ok(graderKilled && redisRestarted);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const deadline = Date.now() + FINISH_WITHIN_MS;
      let inFlight = Infinity;
      while (Date.now() < deadline) {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM submissions WHERE status IN ('queued', 'grading')",
        );
        inFlight = rows[0].n;
        if (inFlight === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const { rows } = await client.query<{ code: string; status: string; attempts: number }>(
        'SELECT code, status, attempts FROM submissions',
      );
      const rowsByCode = new Map<string, number>();
      for (const row of rows) rowsByCode.set(row.code, (rowsByCode.get(row.code) ?? 0) + 1);
      const lost = accepted.filter((code) => !rowsByCode.has(code)).length;
      const duplicates = [...rowsByCode.values()].filter((n) => n > 1).length;
      const byStatus: Record<string, number> = {};
      for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
      const rerun = rows.filter((row) => row.attempts > 1).length;
      console.log(
        `soak: ${accepted.length} accepted of ${SUBMISSIONS}, refused ${JSON.stringify(refused)}; ` +
          `final ${JSON.stringify(byStatus)}; lost ${lost}; duplicate rows ${duplicates}; graded more than once ${rerun}`,
      );

      assert.ok(accepted.length > SUBMISSIONS * 0.8, 'most submissions were accepted');
      assert.equal(inFlight, 0, 'every accepted submission reached a final state');
      assert.equal(lost, 0, 'no accepted submission was lost');
      assert.equal(duplicates, 0, 'no submission was created twice');
      // Each is the reference solution: an infrastructure fault may cost a re-run, never a verdict.
      assert.deepEqual(Object.keys(byStatus), ['passed']);
    } finally {
      await client.end();
    }
  });
});
