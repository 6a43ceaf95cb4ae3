import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AssignmentDetail, HintsView } from '@koodi/contracts';
import type { AssignmentEntity } from '@koodi/db';
import {
  createAssignment,
  sha256,
  startTestApi,
  Student,
  type TestApi,
} from '../testing/api-harness';

type ErrorBody = {
  error: { code: string; message: string; details?: { failuresNeeded?: number } };
};

const HINTS = [
  { text: 'FIRST HINT: start small.', afterFailures: 0 },
  { text: 'SECOND HINT: loop over it.', afterFailures: 0 },
  { text: 'THIRD HINT: almost the answer.', afterFailures: 2 },
];

describe('hints over HTTP', () => {
  let api: TestApi;
  let assignment: AssignmentEntity;

  before(async () => {
    api = await startTestApi();
    assignment = await createAssignment(api, { hints: HINTS });
  });
  after(() => api.close());

  /** A graded submission of the student's that ended `failed`, as the grader leaves one. */
  async function failedSubmission(student: Student): Promise<void> {
    const { userId } = await student.me();
    await api.dataSource.query(
      `INSERT INTO submissions (assignment_id, assignment_version, user_id, code, code_sha256, status, verdict, graded_at)
       VALUES ($1, $2, $3, $4, $5, 'failed', 'tests_failed', now())`,
      [
        assignment.id,
        assignment.version,
        userId,
        `x = ${Math.random()}\n`,
        sha256(String(Math.random())),
      ],
    );
  }

  it('says how many hints there are in the shared detail, and never their text', async () => {
    const response = await fetch(`${api.url}/api/assignments/${assignment.slug}`);
    const text = await response.text();

    assert.equal((JSON.parse(text) as AssignmentDetail).hintCount, 3);
    assert.doesNotMatch(text, /HINT/);
  });

  it('reveals the hints one at a time, in order, and remembers them', async () => {
    const student = new Student(api.url);

    const first = await student.revealHint(assignment.slug);
    const second = await student.revealHint(assignment.id, { number: 2 });
    const list = await student.hints(assignment.slug);

    assert.equal(first.status, 200);
    assert.equal(first.response.headers.get('cache-control'), 'private, no-store');
    assert.deepEqual(first.body as HintsView, {
      total: 3,
      revealed: [{ number: 1, text: HINTS[0]!.text }],
      next: { number: 2, failuresNeeded: 0 },
    });
    assert.deepEqual(
      (second.body as HintsView).revealed.map((h) => h.number),
      [1, 2],
    );
    assert.deepEqual(list.body, second.body);
    assert.equal(list.response.headers.get('cache-control'), 'private, no-store');
  });

  it('reveals one hint for a double click (the same number twice, at once)', async () => {
    const student = new Student(api.url);
    await student.me();

    const answers = await Promise.all([
      student.revealHint(assignment.slug, { number: 1 }),
      student.revealHint(assignment.slug, { number: 1 }),
    ]);

    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.deepEqual(
        (answer.body as HintsView).revealed.map((h) => h.number),
        [1],
      );
    }
    assert.equal(((await student.hints(assignment.slug)).body as HintsView).revealed.length, 1);
    const skipped = await student.revealHint(assignment.slug, { number: 3 });
    assert.equal(skipped.status, 409);
    assert.equal((skipped.body as ErrorBody).error.code, 'hint_not_next');
  });

  it('keeps each student’s hints their own', async () => {
    const mine = new Student(api.url);
    const theirs = new Student(api.url);
    await mine.revealHint(assignment.slug);
    await mine.revealHint(assignment.slug);

    const other = await theirs.hints(assignment.slug);
    await theirs.me();
    const afterIdentity = await theirs.hints(assignment.slug);

    assert.deepEqual((other.body as HintsView).revealed, []);
    assert.deepEqual((afterIdentity.body as HintsView).revealed, []);
    assert.equal(((await mine.hints(assignment.slug)).body as HintsView).revealed.length, 2);
  });

  it('holds a hint back until enough failed submissions, saying how many more', async () => {
    const student = new Student(api.url);
    await student.revealHint(assignment.slug);
    const two = await student.revealHint(assignment.slug);
    assert.deepEqual((two.body as HintsView).next, { number: 3, failuresNeeded: 2 });

    const held = await student.revealHint(assignment.slug);
    await failedSubmission(student);
    const stillHeld = await student.revealHint(assignment.slug);
    await failedSubmission(student);
    const open = await student.revealHint(assignment.slug);
    const none = await student.revealHint(assignment.slug);

    assert.equal(held.status, 403);
    assert.equal((held.body as ErrorBody).error.code, 'hint_held_back');
    assert.deepEqual((held.body as ErrorBody).error.details, { failuresNeeded: 2 });
    assert.match((held.body as ErrorBody).error.message, /2 more failed submissions/);
    assert.doesNotMatch(JSON.stringify(held.body), /THIRD/);
    assert.deepEqual((stillHeld.body as ErrorBody).error.details, { failuresNeeded: 1 });
    assert.equal(open.status, 200);
    assert.deepEqual((open.body as HintsView).revealed.at(-1), { number: 3, text: HINTS[2]!.text });
    assert.equal((open.body as HintsView).next, null);
    assert.equal(none.status, 409);
    assert.equal((none.body as ErrorBody).error.code, 'no_more_hints');
  });

  it('answers 404 for an unknown assignment and 409 for one without hints', async () => {
    const student = new Student(api.url);
    const bare = await createAssignment(api);

    assert.equal((await student.hints('no-such-assignment')).status, 404);
    assert.equal((await student.revealHint('no-such-assignment')).status, 404);
    const noHints = await student.revealHint(bare.slug);
    assert.equal(noHints.status, 409);
    assert.equal((noHints.body as ErrorBody).error.code, 'no_hints');
    assert.deepEqual((await student.hints(bare.slug)).body, { total: 0, revealed: [], next: null });
  });

  it('without an identity lists nothing and creates no user; a reveal creates the identity', async () => {
    const anonymous = new Student(api.url);
    const users = async () =>
      Number((await api.dataSource.query('SELECT count(*)::int AS n FROM users'))[0].n);
    const before = await users();

    const list = await anonymous.hints(assignment.slug);

    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { total: 3, revealed: [], next: { number: 1, failuresNeeded: 0 } });
    assert.equal(anonymous.cookieHeader, null);
    assert.equal(await users(), before);
    const revealed = await anonymous.revealHint(assignment.slug);
    assert.equal(revealed.status, 200);
    assert.notEqual(anonymous.cookieHeader, null);
    assert.equal(((await anonymous.hints(assignment.slug)).body as HintsView).revealed.length, 1);
  });

  it('starts afresh when the cookie names a user the database no longer has', async () => {
    const student = new Student(api.url);
    const { userId } = await student.me();
    await student.revealHint(assignment.slug);
    await api.dataSource.query('DELETE FROM users WHERE id = $1', [userId]);

    const answer = await student.revealHint(assignment.slug);

    assert.equal(answer.status, 200);
    assert.deepEqual(
      (answer.body as HintsView).revealed.map((h) => h.number),
      [1],
    );
    assert.notEqual((await student.me()).userId, userId);
  });

  it('refuses a bad hint number with 400', async () => {
    const student = new Student(api.url);

    for (const body of [{ number: 0 }, { number: 'two' }, { number: 1.5 }, [1]]) {
      const answer = await student.revealHint(assignment.slug, body);
      assert.equal(answer.status, 400, JSON.stringify(body));
    }
  });
});
