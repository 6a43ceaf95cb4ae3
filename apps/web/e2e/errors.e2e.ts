import pg from 'pg';
import { apiRoutes } from '@koodi/contracts';
import { StudentPage, expect, test, unique } from './support/koodi.ts';

test.describe('errors a student understands', () => {
  test('one submission in flight (409): the message, and the page follows the one being graded', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    // A submission made elsewhere (another tab) that keeps the grader busy for its CPU limit.
    const assignment = await (await page.request.get(apiRoutes.assignment('hello'))).json();
    const elsewhere = await page.request.post(apiRoutes.submissions(assignment.id), {
      data: { code: unique('def hello():\n    while True:\n        pass\n') },
    });
    expect(elsewhere.status()).toBe(202);
    const inFlight = await elsewhere.json();

    const refused = page.waitForResponse(
      (response) =>
        response.url().endsWith(apiRoutes.submissions(assignment.id)) &&
        response.request().method() === 'POST',
    );
    await student.submit(unique('def hello():\n    return "Hello"\n'));

    expect((await refused).status()).toBe(409);
    await expect(student.problem).toContainText('You already have a submission being graded');
    await expect(student.result).toHaveAttribute('data-status', /queued|grading|failed/);
    expect(await student.verdict()).toBe('failed');
    await expect(student.result).toContainText('Time limit exceeded');
    await expect(page.getByTestId('history').getByRole('listitem').first()).toContainText(
      'Time limit exceeded',
    );
    expect(inFlight.id).toBeTruthy();
  });

  test('rate limited (429): says when to submit again and holds the button until then', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    // The API's limit is not reachable in a test's time; answer the POST as it would when reached.
    await page.route(/\/api\/assignments\/[^/]+\/submissions$/, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 429,
            headers: { 'retry-after': '30', 'content-type': 'application/json' },
            body: JSON.stringify({
              error: { code: 'rate_limited', message: 'Too many submissions.' },
            }),
          })
        : route.continue(),
    );

    await student.submit('def hello():\n    return "Hello"\n');

    await expect(student.problem).toContainText(
      /You are submitting too often\. You can submit again in (30|29|28) seconds\./,
    );
    await expect(student.submitButton).toBeDisabled();
    await expect(student.result).toHaveCount(0);
  });

  test('network lost: the submit explains it, and the code is kept', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await student.setCode('def hello():\n    return "Hello"\n');

    await page.context().setOffline(true);
    await student.submitButton.click();
    await expect(student.problem).toContainText('Could not reach Koodi');
    await page.context().setOffline(false);

    await student.submitButton.click();
    expect(await student.verdict()).toBe('passed');
    await expect(student.problem).toHaveCount(0);
  });

  test('a grading error shows the grader’s reason, and a broken assignment does not ask to submit again', async ({
    page,
  }) => {
    // The stack's own database (set by `npm test`): broken tests cannot be published through the
    // content sync, which validates every assignment, so a graded row is turned into one.
    test.skip(!process.env.DATABASE_URL, 'needs DATABASE_URL of the stack under test');
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    const posted = page.waitForResponse(
      (response) =>
        /\/api\/assignments\/[^/]+\/submissions$/.test(response.url()) &&
        response.request().method() === 'POST',
    );
    await student.submit(unique('def hello():\n    return "Hi"\n'));
    const { id } = await (await posted).json();
    expect(await student.verdict()).toBe('failed');

    const broken =
      'The tests of this assignment are broken; this is not your fault and will be looked at.';
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(
        `UPDATE submissions SET status = 'error', verdict = 'internal_error', feedback = $2::jsonb WHERE id = $1`,
        [id, JSON.stringify({ summary: broken, tests: [], output: '', outputTruncated: false })],
      );
    } finally {
      await db.end();
    }

    await page.reload();
    await expect(student.result).toHaveAttribute('data-status', 'error');
    await expect(student.result).toContainText('Grading failed on our side');
    await expect(student.result).toContainText(broken);
    await expect(student.result).not.toContainText('submit again');
    await expect(page.getByTestId('history').getByRole('listitem').first()).toContainText(
      'Grading error',
    );
  });
});
