// Load for the stack's fault tests (failover, supervise): students signed in through NGINX,
// readers and submitters that record every answer. Each returns what happened; the tests judge.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { apiRoutes } from '@koodi/contracts';

/** Inserts one assignment straight into the database; resolves with its id. */
export async function insertAssignment(
  databaseUrl: string,
  slug: string,
  testCode = 'import unittest\n',
): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `INSERT INTO assignments (slug, position, title, handout_md, starter_code, module_name, test_code, version)
       VALUES ($1, 1, $1, 'Return 1.', 'def one():\n    pass\n', 'one', $2, 'v1') RETURNING id`,
      [slug, testCode],
    );
    return rows[0].id;
  } finally {
    await client.end();
  }
}

/** The tests of `one()` returning 1, for submissions that must be graded `passed`. */
export const ONE_TESTS = `import unittest
from one import one

class OneTests(unittest.TestCase):
    def test_one(self):
        self.assertEqual(one(), 1)
`;

/** One identity cookie per student, each from a request through NGINX. */
export async function signIn(base: string, students: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < students; i++) {
    const response = await fetch(base + apiRoutes.me());
    await response.arrayBuffer();
    cookies.push(response.headers.getSetCookie()[0].split(';')[0]);
  }
  return cookies;
}

export interface ReadResults {
  ok: number;
  failed: string[];
}

/**
 * Reads the student's progress (GET /api/me) again and again while `going()` holds: a read that
 * always reaches an API replica (the course list is answered from NGINX's cache).
 */
export async function readWhile(
  base: string,
  cookie: string,
  going: () => boolean,
  results: ReadResults,
): Promise<void> {
  while (going()) {
    try {
      const response = await fetch(base + apiRoutes.me(), {
        headers: { cookie },
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) results.ok += 1;
      else results.failed.push(`status ${response.status} at ${new Date().toISOString()}`);
    } catch (error) {
      results.failed.push(`${(error as Error).message} at ${new Date().toISOString()}`);
    }
  }
}

export interface Post {
  code: string;
  status: number | 'network error';
}

/**
 * Submits (a correct solution, unique per post) for the next student in `cookies` while
 * `going()` holds and students remain; `next` is shared between concurrent submitters.
 */
export async function submitWhile(
  base: string,
  assignmentId: string,
  cookies: string[],
  next: { index: number },
  going: () => boolean,
  posts: Post[],
  pauseMs = 20,
): Promise<void> {
  while (going() && next.index < cookies.length) {
    const cookie = cookies[next.index++];
    const code = `def one():\n    return 1  # ${randomBytes(8).toString('hex')}\n`;
    try {
      const response = await fetch(base + apiRoutes.submissions(assignmentId), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      posts.push({ code, status: response.status });
    } catch {
      posts.push({ code, status: 'network error' });
    }
    if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** Submission rows by code: how many rows each code has. */
export async function rowsByCode(databaseUrl: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ code: string; n: number }>(
      'SELECT code, count(*)::int AS n FROM submissions GROUP BY code',
    );
    return new Map(rows.map((row) => [row.code, row.n]));
  } finally {
    await client.end();
  }
}
