// Grading throughput through one grader process: insert row → queue → sandbox → verdict committed,
// for small distinct passing submissions. Run with `npx nx run grader:bench` (builds first; starts
// Postgres and Redis when DATABASE_URL/REDIS_URL are not given).
//   node apps/grader/bench/grader.bench.mts [--slots 2] [--jobs 3000] [--producers 16] [--json]
//     [--cpu-prof DIR]   write a V8 CPU profile of the grader process to DIR
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { lastValueFrom } from 'rxjs';
import queueLib from '@koodi/queue';
import contracts from '@koodi/contracts';

const { RedisListClient } = queueLib;
const { GRADE_SUBMISSION } = contracts;

const { values } = parseArgs({
  options: {
    slots: { type: 'string', default: '2' },
    jobs: { type: 'string', default: '3000' },
    warmup: { type: 'string', default: '300' },
    producers: { type: 'string', default: '16' },
    json: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const slots = Number(values.slots);
const jobs = Number(values.jobs);
const warmup = Number(values.warmup);
const producers = Number(values.producers);

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!databaseUrl || !redisUrl) {
  console.error('DATABASE_URL and REDIS_URL must be set (nx run grader:bench provides them)');
  process.exit(2);
}

const TESTS = `import unittest

from hello import hello


class HelloTests(unittest.TestCase):
    def test_returns_hello(self):
        self.assertEqual(hello(), "Hello")

    def test_returns_a_string(self):
        self.assertIsInstance(hello(), str)
`;
const codeOf = (run: string, i: number) => `def hello():\n    return "Hello"\n# ${run} ${i}\n`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const queue = `grading:bench:${randomUUID().slice(0, 8)}`;
const run = randomUUID().slice(0, 8);
const db = new pg.Pool({
  connectionString: databaseUrl,
  max: producers + 2,
  application_name: 'grader-bench',
});
const client = new RedisListClient({ redisUrl, queue });

async function setUp(
  count: number,
): Promise<{ assignmentId: string; version: string; users: string[] }> {
  const slug = `bench-${run}`;
  const version = `bench-${run}`;
  const { rows } = await db.query(
    `INSERT INTO assignments (slug, position, title, handout_md, starter_code, module_name, test_code, limits, version)
     VALUES ($1, 999, 'Benchmark', '', '', 'hello', $2, '{}', $3) RETURNING id`,
    [slug, TESTS, version],
  );
  const users = await db.query(
    'INSERT INTO users SELECT gen_random_uuid(), now() FROM generate_series(1, $1) RETURNING id',
    [count],
  );
  return { assignmentId: rows[0].id, version, users: users.rows.map((r: { id: string }) => r.id) };
}

/** Inserts the row, then queues its id: what the API does for an accepted submission. */
async function submit(
  assignmentId: string,
  version: string,
  userId: string,
  code: string,
): Promise<string> {
  const { rows } = await db.query(
    `INSERT INTO submissions (assignment_id, assignment_version, user_id, code, code_sha256)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [assignmentId, version, userId, code, sha256(code)],
  );
  await lastValueFrom(client.emit(GRADE_SUBMISSION, { submissionId: rows[0].id }), {
    defaultValue: undefined,
  });
  return rows[0].id;
}

async function submitAll(
  assignmentId: string,
  version: string,
  users: string[],
  label: string,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < users.length) {
        const i = next++;
        await submit(assignmentId, version, users[i], codeOf(`${run}-${label}`, i));
      }
    }),
  );
}

async function waitForAll(assignmentId: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM submissions WHERE assignment_id = $1 AND status IN ('passed', 'failed', 'error')`,
      [assignmentId],
    );
    if (rows[0].n >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${rows[0].n} of ${count} graded after ${timeoutMs} ms`);
    await sleep(20);
  }
}

async function startGrader(): Promise<ChildProcess> {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  const profile = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...profile, main], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      GRADING_QUEUE: queue,
      GRADER_SLOTS: String(slots),
      GRADER_ID: `bench-${run}`,
      OPS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stderr.write(chunk);
  });
  // Ready when its sandboxes are up: it then registers as a consumer of the queue. One query at
  // a time, and a failed query fails the start instead of going unhandled.
  for (;;) {
    if (child.exitCode !== null) throw new Error(`grader exited: ${output}`);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1`,
      [`koodi-grader bench-${run}%`],
    );
    if (rows[0].n > 0) return child;
    await sleep(50);
  }
}

function statFields(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null; // gone
  }
}

/** User + system CPU time of a process so far, in ms (clock ticks are 10 ms on Linux). */
function cpuMs(pid: number, withReapedChildren = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  const own = Number(f[11]) + Number(f[12]);
  return (withReapedChildren ? own + Number(f[13]) + Number(f[14]) : own) * 10;
}

/** Every live descendant of `root` (bubblewrap, the zygotes). */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f) parents.set(Number(entry), Number(f[1]));
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/**
 * CPU spent per component, summed over processes, so the cost of a graded job can be read even
 * on a busy machine: the grader's Node process, its sandboxes (the zygotes include the jobs
 * they forked and reaped), and the Postgres backends serving the grader.
 */
async function cpuSnapshot(
  graderPid: number,
): Promise<{ grader: number; sandbox: number; postgres: number }> {
  const { rows } = await db.query(
    'SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1',
    [`koodi-grader bench-${run}%`],
  );
  const postgresPids = rows.map((r: { pid: number }) => r.pid);
  // Postgres may run elsewhere (DATABASE_URL given); then only what is visible here counts.
  return {
    grader: cpuMs(graderPid),
    sandbox: descendants(graderPid).reduce((sum, pid) => sum + cpuMs(pid, true), 0),
    postgres: postgresPids.reduce((sum: number, pid: number) => sum + cpuMs(pid), 0),
  };
}

function perJob(
  before: Awaited<ReturnType<typeof cpuSnapshot>>,
  after: typeof before,
  count: number,
) {
  return {
    grader: (after.grader - before.grader) / count,
    sandbox: (after.sandbox - before.sandbox) / count,
    postgres: (after.postgres - before.postgres) / count,
  };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function latencies(assignmentId: string, label: string) {
  const { rows } = await db.query(
    `SELECT grading_ms, extract(epoch FROM graded_at - created_at) * 1000 AS total_ms
       FROM submissions WHERE assignment_id = $1 AND code LIKE $2`,
    [assignmentId, `%# ${run}-${label} %`],
  );
  const sandbox = rows
    .map((r: { grading_ms: number }) => r.grading_ms)
    .sort((a: number, b: number) => a - b);
  const total = rows
    .map((r: { total_ms: string }) => Number(r.total_ms))
    .sort((a: number, b: number) => a - b);
  return {
    sandboxP50: percentile(sandbox, 50),
    sandboxP99: percentile(sandbox, 99),
    submitToVerdictP50: percentile(total, 50),
    submitToVerdictP99: percentile(total, 99),
  };
}

async function main(): Promise<void> {
  const { assignmentId, version, users } = await setUp(warmup + 2 * jobs);
  const grader = await startGrader();
  let graderRss = 0;
  try {
    await submitAll(assignmentId, version, users.slice(0, warmup), 'warmup');
    await waitForAll(assignmentId, warmup, 120_000);

    // 1. End to end: rows inserted and queued while the grader works, as when students submit.
    const cpu0 = await cpuSnapshot(grader.pid!);
    const t0 = performance.now();
    await submitAll(assignmentId, version, users.slice(warmup, warmup + jobs), 'e2e');
    await waitForAll(assignmentId, warmup + jobs, 300_000);
    const e2eSeconds = (performance.now() - t0) / 1000;
    const e2eCpu = perJob(cpu0, await cpuSnapshot(grader.pid!), jobs);
    graderRss = rssMb(grader.pid!);

    // 2. Drain: a full queue in front of the grader (submitted with the grader paused).
    grader.kill('SIGSTOP');
    await submitAll(assignmentId, version, users.slice(warmup + jobs), 'drain');
    const cpu1 = await cpuSnapshot(grader.pid!);
    const t1 = performance.now();
    grader.kill('SIGCONT');
    await waitForAll(assignmentId, warmup + 2 * jobs, 300_000);
    const drainSeconds = (performance.now() - t1) / 1000;
    const drainCpu = perJob(cpu1, await cpuSnapshot(grader.pid!), jobs);

    const { rows: verdicts } = await db.query(
      `SELECT verdict, count(*)::int AS n FROM submissions WHERE assignment_id = $1 GROUP BY verdict`,
      [assignmentId],
    );
    const e2e = await latencies(assignmentId, 'e2e');
    const drain = await latencies(assignmentId, 'drain');
    const result = {
      date: new Date().toISOString(),
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      slots,
      jobs,
      producers,
      endToEnd: {
        gradedPerSec: jobs / e2eSeconds,
        seconds: e2eSeconds,
        cpuMsPerJob: e2eCpu,
        ...e2e,
      },
      drain: {
        gradedPerSec: jobs / drainSeconds,
        seconds: drainSeconds,
        cpuMsPerJob: drainCpu,
        ...drain,
      },
      loadAverage: loadavg(),
      verdicts: Object.fromEntries(
        verdicts.map((r: { verdict: string; n: number }) => [r.verdict, r.n]),
      ),
      graderRssMb: graderRss,
    };
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      const ms = (n: number) => `${n.toFixed(1)} ms`;
      console.log(
        `grader benchmark: ${slots} slot(s), ${jobs} jobs per phase, ${result.cores} × ${result.cpu}`,
      );
      console.log(
        'phase                         graded/s  sandbox p50  sandbox p99  submit→verdict p50      p99  CPU ms/job: grader  sandbox  postgres',
      );
      for (const [name, phase] of [
        ['end to end (insert→verdict)', result.endToEnd],
        ['drain (queue preloaded)', result.drain],
      ] as const) {
        const cpu = phase.cpuMsPerJob;
        console.log(
          `${name.padEnd(29)} ${phase.gradedPerSec.toFixed(0).padStart(8)}  ${ms(phase.sandboxP50).padStart(11)}  ${ms(phase.sandboxP99).padStart(11)}  ${ms(phase.submitToVerdictP50).padStart(18)}  ${ms(phase.submitToVerdictP99).padStart(9)}  ${cpu.grader.toFixed(2).padStart(18)}  ${cpu.sandbox.toFixed(2).padStart(7)}  ${cpu.postgres.toFixed(2).padStart(8)}`,
        );
      }
      const cpu = result.drain.cpuMsPerJob;
      const total = cpu.grader + cpu.sandbox + cpu.postgres;
      console.log(
        `CPU-bound ceiling of the grading path on ${result.cores} idle cores (drain): ${((1000 * result.cores) / total).toFixed(0)} graded/s (${total.toFixed(2)} CPU ms per job, Redis excluded)`,
      );
      console.log(
        `verdicts: ${JSON.stringify(result.verdicts)}; grader RSS ${graderRss.toFixed(0)} MB; load average ${result.loadAverage.map((n) => n.toFixed(1)).join(' ')}`,
      );
    }
  } finally {
    grader.kill('SIGTERM');
    await new Promise((resolve) => grader.once('exit', resolve));
    await db.query('DELETE FROM assignments WHERE id = $1', [assignmentId]);
    await db.query('DELETE FROM users WHERE id = ANY($1::uuid[])', [users]);
    await client.close();
    await db.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
