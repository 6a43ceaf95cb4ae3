// `npm run bench`: the scenarios of docs/PERFORMANCE.md against the production build of the whole stack on this
// machine (or a running stack at BENCH_URL), one table on screen and the same as JSON in docs/perf/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { apiRoutes, type AssignmentSummary, type SubmissionView } from '@koodi/contracts';
import { freePort } from '../stack/processes.ts';
import { ensureDatabase, ensureServices, ROOT } from '../stack/services.ts';
import { stackRedisUrl, startStack, type RunningStack } from '../stack/stack.ts';
import { migrateDatabase, NX, run, syncContent } from '../stack/steps.ts';
import { ensurePrograms, RUNTIME_PROGRAMS } from '../stack/system.ts';
import {
  createStudents,
  medianOfRuns,
  readEventsUntil,
  runLoad,
  type ScenarioResult,
} from './load.ts';
import { formatMs, percentile } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const FINAL = new Set(['passed', 'failed', 'error']);

const log = (line: string) => console.log(`  ${line}`);

interface Environment {
  baseUrl: string;
  databaseUrl: string | null;
  stack: RunningStack | null;
  stopServices: () => Promise<void>;
}

async function prepare(): Promise<Environment> {
  if (process.env.BENCH_URL) {
    return {
      baseUrl: process.env.BENCH_URL.replace(/\/$/, ''),
      databaseUrl: process.env.DATABASE_URL ?? null,
      stack: null,
      stopServices: async () => undefined,
    };
  }
  console.log('Preparing: production build, fresh database, the whole stack');
  const programs = ensurePrograms(RUNTIME_PROGRAMS, log);
  if ((await run(NX, ['run-many', '-t', 'build', '--output-style=static'])) !== 0)
    throw new Error('build failed');
  const services = await ensureServices(log);
  const databaseUrl = services.external
    ? process.env.DATABASE_URL!
    : await ensureDatabase(services.postgresServerUrl, 'koodi_bench', true);
  log(await migrateDatabase(databaseUrl));
  const redisUrl = stackRedisUrl(services.redisUrl, 'bench', services.external);
  if ((await syncContent({ ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl })) !== 0)
    throw new Error('content sync failed');
  const stack = await startStack({
    name: 'bench',
    port: await freePort(),
    databaseUrl,
    redisUrl,
    nginx: programs.get('nginx')!,
    apiReplicas: 2,
    graders: 2,
    log,
    // One load generator stands in for a whole school here: the per-address flood guards
    // would otherwise cap it. The per-student limits stay as they are.
    nginxSubmissionRate: '100000r/s',
    env: { NODE_ENV: 'production', RATE_LIMIT_IP_PER_MINUTE: '10000000' },
  });
  return {
    baseUrl: stack.url.replace('localhost', '127.0.0.1'),
    databaseUrl,
    stack,
    stopServices: services.started ? services.stop : async () => undefined,
  };
}

/** Resident memory of a process and, separately, of all its descendants (the sandboxes). */
function rssMb(pid: number): { self: number; descendants: number } {
  const rss = (p: number) => {
    try {
      const line = readFileSync(`/proc/${p}/status`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('VmRSS:'));
      return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let descendants = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    descendants += rss(p);
    stack.push(...(children.get(p) ?? []));
  }
  return { self: rss(pid), descendants };
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(
      `${init?.method ?? 'GET'} ${url} answered ${response.status}: ${await response.text()}`,
    );
  return (await response.json()) as T;
}

async function main() {
  const env = await prepare();
  const { baseUrl } = env;
  const results: ScenarioResult[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const [cookie] = await createStudents(baseUrl, 1, 1);
    const assignments = await json<AssignmentSummary[]>(baseUrl + apiRoutes.assignments());
    const first = assignments.sort((a, b) => a.position - b.position)[0];
    if (!first) throw new Error('no assignments: content sync must run first');
    const detail = await json<{ id: string; slug: string; starterCode: string }>(
      baseUrl + apiRoutes.assignment(first.slug),
      { headers: { cookie } },
    );
    const solution = readFileSync(
      join(ROOT, 'content', readdirSync(join(ROOT, 'content')).sort()[0], 'solution.py'),
      'utf8',
    );
    const submitUrl = baseUrl + apiRoutes.submissions(detail.id);
    let codeCounter = 0;
    const distinctCode = () => `${solution}\n# bench ${process.pid}-${codeCounter++}\n`;

    console.log('\nScenario: GET / (static page through NGINX, compressed)');
    results.push(
      await medianOfRuns(
        'GET / (static, gzip)',
        RUNS,
        () =>
          runLoad({
            url: baseUrl + '/',
            connections: CONNECTIONS,
            seconds: 2,
            headers: { 'accept-encoding': 'gzip' },
            expectStatus: [200],
          }),
        () =>
          runLoad({
            url: baseUrl + '/',
            connections: CONNECTIONS,
            seconds: SECONDS,
            headers: { 'accept-encoding': 'gzip' },
            expectStatus: [200],
          }),
      ),
    );

    // The list is public: NGINX answers it from its cache, no cookie needed (or looked at).
    console.log('Scenario: GET /api/assignments (cached) through NGINX');
    const listOptions = {
      url: baseUrl + apiRoutes.assignments(),
      connections: CONNECTIONS,
      headers: { 'accept-encoding': 'gzip' },
      expectStatus: [200],
    };
    results.push(
      await medianOfRuns(
        'GET /api/assignments (cached)',
        RUNS,
        () => runLoad({ ...listOptions, seconds: 2 }),
        () => runLoad({ ...listOptions, seconds: SECONDS }),
      ),
    );

    const runUrl = baseUrl + apiRoutes.runs(detail.id);
    console.log('Scenario: Run (visible samples, no submission), 20 runs/s, empty queue');
    extra.runIdle = await runLatency(baseUrl, runUrl, solution, null);

    // Each accepted POST needs a student with nothing in flight: one new student per request.
    const postSeconds = Math.min(SECONDS, 2);
    const studentsNeeded = Math.ceil(5000 * (postSeconds * RUNS + 1));
    console.log(`Scenario: POST submission (creating ${studentsNeeded} students first)`);
    const students = await createStudents(baseUrl, studentsNeeded, 16);
    let nextStudent = 0;
    const postOptions = {
      url: submitUrl,
      method: 'POST' as const,
      connections: CONNECTIONS,
      headers: { 'content-type': 'application/json' },
      next: () => ({
        body: JSON.stringify({ code: distinctCode() }),
        headers: { cookie: students[nextStudent++ % students.length] },
      }),
      expectStatus: [202],
    };
    // In production graders run on machines of their own; here they share the two cores with
    // the API, so they are paused while the API's accept rate is measured, then the queue they
    // come back to measures grading throughput on its own.
    const graders = [...(env.stack?.processes ?? [])].filter(([name]) => name.startsWith('grader'));
    for (const [, child] of graders) child.kill('SIGSTOP');
    const postPhaseStart = new Date();
    results.push(
      await medianOfRuns(
        graders.length
          ? 'POST submission (accepted; graders paused)'
          : 'POST submission (accepted)',
        RUNS,
        () => runLoad({ ...postOptions, seconds: 1 }),
        () => runLoad({ ...postOptions, seconds: postSeconds }),
      ),
    );
    for (const [, child] of graders) child.kill('SIGCONT');
    const postPhaseEnd = new Date();

    if (env.databaseUrl) {
      console.log('Grading throughput: draining what the POST scenario queued');
      extra.grading = await measureGrading(env.databaseUrl, postPhaseStart, postPhaseEnd);
    }

    console.log('Scenario: submit → verdict event at the client, 20 submissions/s');
    extra.submitToVerdict = await submitToVerdict(baseUrl, submitUrl, distinctCode);

    console.log('Scenario: identical resubmission (dedupe)');
    extra.dedupe = await dedupe(baseUrl, submitUrl, solution);

    if (graders.length && env.databaseUrl) {
      console.log(`Scenario: Run, 20 runs/s, while ${RUN_BACKLOG} graded submissions wait`);
      for (const [, child] of graders) child.kill('SIGSTOP');
      await queueBacklog(baseUrl, submitUrl, distinctCode, RUN_BACKLOG);
      for (const [, child] of graders) child.kill('SIGCONT');
      // The graders take graded jobs as fast as they can meanwhile: the backlog shrinks, by how much is reported.
      extra.runWithBacklog = await runLatency(baseUrl, runUrl, solution, env.databaseUrl);
    }

    if (env.stack) {
      const memory: Record<string, { rssMb: number; sandboxesMb?: number }> = {};
      for (const [name, child] of env.stack.processes) {
        if (name === 'nginx') continue;
        const { self, descendants } = rssMb(child.pid!);
        memory[name] = name.startsWith('grader')
          ? { rssMb: self, sandboxesMb: descendants }
          : { rssMb: self };
      }
      extra.memory = memory;
    }
  } finally {
    await env.stack?.stop();
    await env.stopServices();
  }
  report(results, extra);
}

async function measureGrading(databaseUrl: string, from: Date, postEnd: Date) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM submissions WHERE status IN ('queued', 'grading')",
      );
      if (rows[0].n === 0) break;
      if (Date.now() > deadline)
        throw new Error(`${rows[0].n} submissions still in flight after 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const { rows } = await client.query(
      `SELECT count(*)::int AS graded,
              count(*) FILTER (WHERE status = 'passed')::int AS passed,
              count(*) FILTER (WHERE graded_at > $2)::int AS after_post,
              extract(epoch FROM max(graded_at) - min(created_at)) AS span_s,
              extract(epoch FROM max(graded_at) - $2::timestamptz) AS drain_s,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY grading_ms) AS sandbox_p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY grading_ms) AS sandbox_p99
         FROM submissions WHERE created_at >= $1 AND duplicate_of IS NULL`,
      [from, postEnd],
    );
    const r = rows[0];
    const result = {
      graded: r.graded,
      passed: r.passed,
      gradedPerSecEndToEnd: r.graded / Number(r.span_s),
      gradedPerSecDrain: r.after_post / Math.max(0.001, Number(r.drain_s)),
      gradingMsP50: Number(r.sandbox_p50),
      gradingMsP99: Number(r.sandbox_p99),
    };
    log(
      `${result.graded} graded (${result.passed} passed): ${result.gradedPerSecDrain.toFixed(0)}/s draining the queue`,
    );
    return result;
  } finally {
    await client.end();
  }
}

async function submitToVerdict(baseUrl: string, submitUrl: string, code: () => string) {
  const count = Number(process.env.BENCH_VERDICT_SAMPLES ?? 200);
  const students = await createStudents(baseUrl, count, 8);
  const latencies: number[] = [];
  let failures = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const cookie = students[i];
    pending.push(
      (async () => {
        const started = performance.now();
        try {
          const response = await fetch(submitUrl, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json' },
            body: JSON.stringify({ code: code() }),
          });
          const view = (await response.json()) as SubmissionView;
          if (!FINAL.has(view.status)) {
            await readEventsUntil(baseUrl + apiRoutes.submissionEvents(view.id), cookie, (data) =>
              FINAL.has((data as SubmissionView).status),
            );
          }
          latencies.push(performance.now() - started);
        } catch {
          failures += 1;
        }
      })(),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(pending);
  const result = {
    samples: latencies.length,
    failures,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
  log(
    `${result.samples} verdicts: p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms, ${failures} failures`,
  );
  return result;
}

/** Graded submissions the Run-with-backlog scenario puts in the queue first. */
const RUN_BACKLOG = 5_000;
const RUN_SAMPLES = 200;

/** Queues `count` distinct submissions (one new student each) while the graders are paused. */
async function queueBacklog(baseUrl: string, submitUrl: string, code: () => string, count: number) {
  const students = await createStudents(baseUrl, count, 16);
  let next = 0;
  async function worker() {
    while (next < students.length) {
      const cookie = students[next++];
      const response = await fetch(submitUrl, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ code: code() }),
      });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`backlog POST answered ${response.status}`);
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function queuedCount(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM submissions WHERE status = 'queued'",
    );
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

/**
 * Run latency at the client, 20 runs a second: the first assignment's solution against its
 * samples, each from a student under their per-minute Run limit. With a database, the graded
 * submissions waiting before and after are counted too.
 */
async function runLatency(
  baseUrl: string,
  runUrl: string,
  code: string,
  databaseUrl: string | null,
) {
  const students = await createStudents(baseUrl, Math.ceil(RUN_SAMPLES / 20), 4);
  const waitingBefore = databaseUrl ? await queuedCount(databaseUrl) : null;
  const latencies: number[] = [];
  let failures = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < RUN_SAMPLES; i++) {
    const cookie = students[i % students.length];
    pending.push(
      (async () => {
        const started = performance.now();
        try {
          const response = await fetch(runUrl, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/json' },
            body: JSON.stringify({ code }),
          });
          const body = (await response.json()) as { status?: string };
          if (response.status !== 200 || body.status !== 'passed')
            throw new Error(`run answered ${response.status}`);
          latencies.push(performance.now() - started);
        } catch {
          failures += 1;
        }
      })(),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await Promise.all(pending);
  const waitingAfter = databaseUrl ? await queuedCount(databaseUrl) : null;
  const result = {
    samples: latencies.length,
    failures,
    waitingBefore,
    waitingAfter,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
  log(
    `${result.samples} runs: p50 ${formatMs(result.p50)} ms, p99 ${formatMs(result.p99)} ms, ${failures} failures` +
      (waitingBefore === null
        ? ''
        : `; graded submissions waiting: ${waitingBefore} before, ${waitingAfter} after`),
  );
  return result;
}

async function dedupe(baseUrl: string, submitUrl: string, solution: string) {
  const code = `${solution}\n# dedupe ${process.pid}\n`;
  const [firstStudent, ...students] = await createStudents(baseUrl, 101, 8);
  const first = await json<SubmissionView>(submitUrl, {
    method: 'POST',
    headers: { cookie: firstStudent, 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  await readEventsUntil(baseUrl + apiRoutes.submissionEvents(first.id), firstStudent, (data) =>
    FINAL.has((data as SubmissionView).status),
  );
  const latencies: number[] = [];
  let finalInResponse = 0;
  for (const cookie of students) {
    const started = performance.now();
    const response = await fetch(submitUrl, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    const view = (await response.json()) as SubmissionView;
    latencies.push(performance.now() - started);
    if (response.status === 200 && FINAL.has(view.status)) finalInResponse += 1;
  }
  const result = {
    samples: students.length,
    finalInResponse,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
  log(
    `${finalInResponse}/${students.length} answered with the final verdict in the POST response; p50 ${formatMs(result.p50)} ms`,
  );
  return result;
}

function report(results: ScenarioResult[], extra: Record<string, unknown>) {
  const rows = results.map((r) => [
    r.scenario,
    String(r.requests),
    r.reqPerSec.toFixed(0),
    formatMs(r.p50),
    formatMs(r.p99),
    String(r.errors),
  ]);
  const grading = extra.grading as
    | {
        graded: number;
        gradedPerSecEndToEnd: number;
        gradedPerSecDrain: number;
        gradingMsP50: number;
        gradingMsP99: number;
      }
    | undefined;
  if (grading) {
    rows.push([
      'grading (queued → sandbox → verdict committed; p = grading ms)',
      String(grading.graded),
      grading.gradedPerSecDrain.toFixed(0),
      formatMs(grading.gradingMsP50),
      formatMs(grading.gradingMsP99),
      '0',
    ]);
  }
  const verdict = extra.submitToVerdict as {
    samples: number;
    failures: number;
    p50: number;
    p99: number;
  };
  rows.push([
    'submit → verdict event, 20/s',
    String(verdict.samples),
    '20',
    formatMs(verdict.p50),
    formatMs(verdict.p99),
    String(verdict.failures),
  ]);
  const dedupe = extra.dedupe as {
    samples: number;
    finalInResponse: number;
    p50: number;
    p99: number;
  };
  rows.push([
    `dedupe hit (final in POST: ${dedupe.finalInResponse}/${dedupe.samples})`,
    String(dedupe.samples),
    '-',
    formatMs(dedupe.p50),
    formatMs(dedupe.p99),
    String(dedupe.samples - dedupe.finalInResponse),
  ]);

  type RunFigures = {
    samples: number;
    failures: number;
    waitingBefore: number | null;
    p50: number;
    p99: number;
  };
  for (const [label, figures] of [
    ['Run, 20/s, empty queue', extra.runIdle],
    ['Run, 20/s, graded backlog', extra.runWithBacklog],
  ] as const) {
    const run = figures as RunFigures | undefined;
    if (!run) continue;
    rows.push([
      run.waitingBefore ? `${label} (${run.waitingBefore} waiting)` : label,
      String(run.samples),
      '20',
      formatMs(run.p50),
      formatMs(run.p99),
      String(run.failures),
    ]);
  }

  const header = ['scenario', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  if (extra.memory) {
    console.log('\nmemory (RSS, MB):');
    for (const [name, m] of Object.entries(
      extra.memory as Record<string, { rssMb: number; sandboxesMb?: number }>,
    )) {
      console.log(
        `  ${name.padEnd(10)} ${m.rssMb.toFixed(0)}${m.sandboxesMb !== undefined ? `  + sandboxes ${m.sandboxesMb.toFixed(0)}` : ''}`,
      );
    }
  }

  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const date = new Date().toISOString();
  const document = {
    date,
    commit,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    runs: RUNS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    results,
    ...extra,
  };
  const dir = join(ROOT, 'docs/perf');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${date.slice(0, 19).replace(/[:T]/g, '-')}-${commit}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(document, null, 2) + '\n');
  console.log(`\nwritten to ${file.replace(ROOT + '/', '')} and docs/perf/latest.json`);
}

await main();
