import { StudentPage, expect, solutionOf, test, unique } from './support/koodi.ts';

const WRONG_HELLO = 'def hello():\n    return "Hi"\n';

test.describe('grading a submission', () => {
  test('a failing submission shows each failed test and points stay 0', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await expect(student.points).toHaveText('0');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Assignment 1: Hello');
    expect(await student.code()).toContain('def hello');

    await student.submit(unique(WRONG_HELLO));

    await expect(student.result).toHaveAttribute('data-status', /^(queued|grading|failed)$/);
    expect(await student.verdict()).toBe('failed');
    await expect(student.result).toContainText('some tests failed');
    const failed = page.locator('[data-testid="test-result"][data-outcome="failed"]');
    await expect(failed.first()).toContainText("'Hi' != 'Hello'");
    await expect(failed.first()).toContainText(/test_\w+/);
    await expect(student.points).toHaveText('0');
    await expect(page.getByTestId('next-assignment')).toHaveCount(0);
    await expect(page.getByTestId('history').getByRole('listitem')).toHaveCount(1);
  });

  test('a passing submission shows success, points become 100 without a reload, and Next leads to assignment 2', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    let loads = 0;
    page.on('load', () => loads++);

    await student.submit(solutionOf('hello'));

    expect(await student.verdict()).toBe('passed');
    await expect(student.result).toContainText('Solved — well done!');
    await expect(student.points).toHaveText('100');
    expect(loads).toBe(0);

    await page.getByTestId('next-assignment').click();
    await expect(page).toHaveURL(/[?&]a=hello-world\b/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Assignment 2: Hello world');
    expect(await student.code()).not.toContain('def hello():');
    await expect(student.result).toHaveCount(0);
    await expect(student.points).toHaveText('100');
  });

  test('resubmitting a solved assignment adds no points', async ({ page }) => {
    const student = new StudentPage(page);
    await student.solve('hello');
    await expect(student.points).toHaveText('100');

    // The same code again (answered from the earlier verdict) and a different passing solution.
    await student.submit(solutionOf('hello'));
    expect(await student.verdict()).toBe('passed');
    await student.submit('def hello():\n    return "Hel" + "lo"\n');
    expect(await student.verdict()).toBe('passed');

    await expect(page.getByTestId('history').getByRole('listitem')).toHaveCount(3);
    await expect(student.points).toHaveText('100');
    await page.reload();
    await expect(student.points).toHaveText('100');
  });

  test('a syntax error points at its line in the editor', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');

    await student.submit('def hello():\n    greeting = "Hello"\n    return greeting +\n');

    expect(await student.verdict()).toBe('failed');
    await expect(student.result).toContainText('Syntax error');
    await expect(student.result).toContainText('line 3');
    const lines = student.editor.locator('.cm-line');
    await expect(lines.nth(2)).toHaveClass(/cm-error-line/);
    await expect(student.editor.locator('.cm-error-line')).toHaveCount(1);

    await page.getByRole('button', { name: 'Go to line 3' }).click();
    await expect(student.editor).toBeFocused();
  });

  test('an error raised by the student’s own code points at its line', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');

    await student.submit('def hello():\n    words = ["Hello"]\n    return words[1]\n');

    expect(await student.verdict()).toBe('failed');
    await expect(student.result).toContainText('line 3');
    await expect(student.editor.locator('.cm-line').nth(2)).toHaveClass(/cm-error-line/);
  });

  test('the verdict arrives live over Server-Sent Events', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    // With every status poll refused, the verdict can only come through the event stream.
    await page.route(/\/api\/submissions\/[^/]+$/, (route) => route.abort());
    const stream = page.waitForResponse(
      (response) =>
        /\/api\/submissions\/[^/]+\/events$/.test(response.url()) && response.status() === 200,
    );

    await student.submit(unique(WRONG_HELLO));

    expect((await stream).headers()['content-type']).toContain('text/event-stream');
    expect(await student.verdict()).toBe('failed');
  });

  test('the verdict still arrives by polling when the event stream is blocked', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    let blocked = 0;
    await page.route(/\/api\/submissions\/[^/]+\/events$/, (route) => {
      blocked++;
      return route.abort();
    });
    const polled = page.waitForResponse((response) =>
      /\/api\/submissions\/[^/]+$/.test(response.url()),
    );

    await student.submit(unique(solutionOf('hello')));

    await polled;
    expect(await student.verdict()).toBe('passed');
    expect(blocked).toBeGreaterThan(0);
    await expect(student.points).toHaveText('100');
  });

  test('Ctrl+Enter in the editor submits', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await student.setCode(WRONG_HELLO);

    await page.keyboard.press('Control+Enter');

    expect(await student.verdict()).toBe('failed');
    await expect(page.getByTestId('history').getByRole('listitem')).toHaveCount(1);
    await expect(student.problem, 'one press submits once').toHaveCount(0);
  });

  test('text from the student’s code is shown as text, never run as markup', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');

    await student.submit(
      'def hello():\n    print("<img src=x onerror=window.__koodiPwned=1>")\n    return "<b>bold</b><script>window.__koodiPwned=2</script>"\n',
    );

    expect(await student.verdict()).toBe('failed');
    await expect(student.result).toBeVisible();
    await expect(
      page.locator('[data-testid="test-result"]').filter({ hasText: '<b>bold</b>' }).first(),
    ).toBeVisible();
    await expect(page.getByTestId('output')).toContainText(
      '<img src=x onerror=window.__koodiPwned=1>',
    );
    await expect(page.locator('main b, main img[src="x"]')).toHaveCount(0);
    expect(
      await page.evaluate(() => (window as unknown as { __koodiPwned?: number }).__koodiPwned),
    ).toBeUndefined();
  });
});
