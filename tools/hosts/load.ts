// The students of the host scenarios. Runs on the load host (inside its namespace), sends
// submissions through the edge, and finally reads every row from PostgreSQL. Talks to the
// scenario on stdout, one line each: `progress N` after the Nth submission is sent, then
// `result {json}`.
//   node tools/hosts/load.ts setup   (DATABASE_URL): adds the assignment, prints its id
//   node tools/hosts/load.ts load '{json}'   (DATABASE_URL; the JSON is a LoadPlan)
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { apiRoutes, isFinalStatus, type SubmissionStatus } from '@koodi/contracts';

const TESTS = `import unittest
from one import one

class OneTests(unittest.TestCase):
    def test_one(self):
        self.assertEqual(one(), 1)
`;

/** What each kind of code deserves: the verdict check of the scenario. */
export const DESERVES = {
  pass: { status: 'passed', verdict: 'passed' },
  fail: { status: 'failed', verdict: 'tests_failed' },
  syntax: { status: 'failed', verdict: 'syntax_error' },
  slow: { status: 'passed', verdict: 'passed' },
} as const;
export type Kind = keyof typeof DESERVES;

export interface Row {
  id: string;
  code: string;
  status: string;
  verdict: string | null;
  attempts: number;
  createdAt: number;
  gradedAt: number | null;
}

export interface LoadResult {
  sent: number;
  accepted: { id: string; code: string }[];
  refused: Record<string, number>;
  /** When each POST attempt ended and whether the service answered it (below 500). */
  attempts: { at: number; ok: boolean }[];
  rows: Row[];
  /** Rows still queued or grading when the wait ended. */
  inFlight: number;
}

function codeOf(kind: Kind, tag: string): string {
  if (kind === 'pass') return `def one():\n    return 1  # ${tag}\n`;
  if (kind === 'fail') return `def one():\n    return 2  # ${tag}\n`;
  if (kind === 'slow')
    return `import time\n\ndef one():\n    time.sleep(0.5)\n    return 1  # ${tag}\n`;
  return `def one(:\n    return 1  # ${tag}\n`;
}

/**
 * Every thirteenth submission does not parse, every seventh fails its test, and one in ten takes
 * half a second (so a grader host is often caught holding a job when it fails).
 */
export function kindOf(n: number): Kind {
  return n % 13 === 0 ? 'syntax' : n % 7 === 0 ? 'fail' : n % 10 === 5 ? 'slow' : 'pass';
}

export function kindOfCode(code: string): Kind {
  if (code.startsWith('def one(:')) return 'syntax';
  if (code.includes('return 2')) return 'fail';
  return code.includes('time.sleep') ? 'slow' : 'pass';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function setup(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `INSERT INTO assignments (slug, position, title, handout_md, starter_code, module_name, test_code, version)
       VALUES ('hosts', 1, 'Hosts', 'Return 1.', 'def one():\n    pass\n', 'one', $1, 'v1') RETURNING id`,
      [TESTS],
    );
    console.log(`result ${JSON.stringify({ assignmentId: rows[0].id })}`);
  } finally {
    await client.end();
  }
}

/** What the scenario asks of one load run, passed as one JSON argument (not configuration). */
export interface LoadPlan {
  /** The edge's base URL. */
  base: string;
  assignmentId: string;
  submissions: number;
  students: number;
  /** Requests in flight at once; default 24. */
  concurrency?: number;
  /** How long to wait for the last verdicts after sending; default 180 s. */
  finishMs?: number;
}

async function load(databaseUrl: string, plan: LoadPlan): Promise<void> {
  const { base, assignmentId } = plan;
  const total = plan.submissions;
  const students = plan.students;
  const perStudent = Math.ceil(total / students);
  const concurrency = plan.concurrency ?? 24;
  const finishMs = plan.finishMs ?? 180_000;
  const result: LoadResult = {
    sent: 0,
    accepted: [],
    refused: {},
    attempts: [],
    rows: [],
    inFlight: 0,
  };
  const refuse = (why: string) => (result.refused[why] = (result.refused[why] ?? 0) + 1);

  /** One student: a cookie of their own, one submission at a time, waits for each verdict. */
  async function student(): Promise<void> {
    let cookie = '';
    const headers = () => ({ 'content-type': 'application/json', ...(cookie ? { cookie } : {}) });
    const keep = (response: Response) => {
      const set = response.headers.getSetCookie().map((c) => c.split(';')[0]);
      if (set.length) cookie = set.join('; ');
    };
    // As the page does, the student's identity comes from GET /api/me before any submission: a
    // first POST whose answer is lost would otherwise be retried as a stranger, a second row.
    for (let attempt = 0; attempt < 20 && !cookie; attempt++) {
      if (attempt > 0) await sleep(500);
      try {
        const response = await fetch(base + apiRoutes.me(), {
          headers: headers(),
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        if (response.ok) keep(response);
      } catch {
        // the edge or an API host is failing over: ask again
      }
    }
    for (let i = 0; i < perStudent && result.sent < total; i++) {
      const n = result.sent++;
      console.log(`progress ${result.sent}`);
      const code = codeOf(kindOf(n), `${n}-${randomBytes(6).toString('hex')}`);
      // A retried POST carries the same key, so a lost answer can never become a second row.
      const key = randomBytes(12).toString('hex');
      let id: string | undefined;
      for (let attempt = 0; attempt < 6 && !id; attempt++) {
        if (attempt > 0) await sleep(500);
        try {
          const response = await fetch(base + apiRoutes.submissions(assignmentId), {
            method: 'POST',
            headers: { ...headers(), 'idempotency-key': key },
            body: JSON.stringify({ code }),
            signal: AbortSignal.timeout(8_000),
          });
          keep(response);
          const body = (await response.json().catch(() => ({}))) as { id?: string };
          // Answered (even 409, one in flight) is service; 5xx and no answer are the outage.
          result.attempts.push({ at: Date.now(), ok: response.status < 500 });
          // 200: a retry whose first attempt was created and graded already.
          if ((response.status === 202 || response.status === 200) && body.id) id = body.id;
          else refuse(String(response.status));
        } catch {
          result.attempts.push({ at: Date.now(), ok: false });
          refuse('network error');
        }
      }
      if (!id) continue;
      result.accepted.push({ id, code });
      // Waits for the verdict (the API allows one submission in flight per student).
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await sleep(300);
        try {
          const response = await fetch(base + apiRoutes.submission(id), {
            headers: headers(),
            signal: AbortSignal.timeout(5_000),
          });
          const view = (await response.json().catch(() => ({}))) as { status?: SubmissionStatus };
          if (view.status && isFinalStatus(view.status)) break;
        } catch {
          // the edge or an API host is failing over: ask again
        }
      }
    }
  }

  const queue = Array.from({ length: students }, () => student);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = queue.pop(); next; next = queue.pop()) await next();
    }),
  );

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + finishMs;
    for (;;) {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM submissions WHERE status IN ('queued', 'grading')",
      );
      result.inFlight = rows[0].n;
      if (result.inFlight === 0 || Date.now() > deadline) break;
      await sleep(500);
    }
    const { rows } = await client.query(
      `SELECT id, code, status, verdict, attempts,
              extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM graded_at) * 1000 AS graded
         FROM submissions`,
    );
    result.rows = rows.map((row) => ({
      id: row.id,
      code: row.code,
      status: row.status,
      verdict: row.verdict,
      attempts: row.attempts,
      createdAt: Number(row.created),
      gradedAt: row.graded === null ? null : Number(row.graded),
    }));
  } finally {
    await client.end();
  }
  console.log(`result ${JSON.stringify(result)}`);
}

if (import.meta.main) {
  const mode = process.argv[2];
  const databaseUrl = process.env.DATABASE_URL;
  let plan: LoadPlan | undefined;
  try {
    plan = mode === 'load' ? (JSON.parse(process.argv[3] ?? '') as LoadPlan) : undefined;
  } catch {
    plan = undefined;
  }
  const planned =
    mode === 'setup' ||
    (plan !== undefined &&
      typeof plan.base === 'string' &&
      typeof plan.assignmentId === 'string' &&
      Number.isInteger(plan.submissions) &&
      Number.isInteger(plan.students) &&
      plan.students > 0);
  if (!databaseUrl || !planned) {
    console.error("usage: DATABASE_URL=… node tools/hosts/load.ts setup | load '{json LoadPlan}'");
    process.exit(2);
  }
  await (mode === 'setup' ? setup(databaseUrl) : load(databaseUrl, plan!));
}
