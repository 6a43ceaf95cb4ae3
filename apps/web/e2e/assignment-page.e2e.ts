import type { Locator, Page } from '@playwright/test';
import { apiRoutes, pageRoutes } from '@koodi/contracts';
import type { SubmissionView } from '@koodi/contracts';
import { StudentPage, expect, solutionOf, test, unique, viewports } from './support/koodi.ts';

const WRONG_HELLO = 'def hello():\n    return "Hi"\n';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The boxes of an element's text-bearing descendants (leaves and buttons), in document order. */
async function partsOf(row: Locator): Promise<Array<Box & { text: string; length: number }>> {
  return row.evaluate((element) =>
    [...element.querySelectorAll('span, time, p, button')]
      .filter((part) => !part.closest('.sr-only') && part.parentElement?.closest('button') === null)
      .map((part) => {
        const { x, y, width, height } = part.getBoundingClientRect();
        const text = (part.textContent ?? '').trim();
        return { x, y, width, height, text: text.slice(0, 30), length: text.length };
      })
      .filter((part) => part.width > 0 && part.height > 0),
  );
}

/** Answers the next POST of a submission with `view`, as the API does for a final verdict. */
async function answerSubmitWith(page: Page, view: Partial<SubmissionView>): Promise<void> {
  await page.route(/\/api\/assignments\/[^/]+\/submissions$/, (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            id: '00000000-0000-4000-8000-000000000001',
            assignmentId: 'x',
            verdict: 'tests_failed',
            summary: null,
            output: '',
            outputTruncated: false,
            location: null,
            queuePosition: null,
            createdAt: new Date().toISOString(),
            startedAt: new Date().toISOString(),
            gradedAt: new Date().toISOString(),
            gradingMs: 12,
            timing: 'Graded in 12 ms.',
            status: 'failed',
            title: 'Not yet — some tests failed',
            detail: 'Some tests failed.',
            tests: [],
            ...view,
          } satisfies SubmissionView),
        })
      : route.continue(),
  );
}

test.describe('the assignment page where it was seen to break', () => {
  test('on a 390 px phone, opening Sample tests keeps the page 390 px wide', async ({ page }) => {
    await page.setViewportSize(viewports.mobile);
    const student = new StudentPage(page);
    await student.openAssignment('hello');

    await page.getByText('Sample tests', { exact: true }).click();
    await expect(page.getByText('class HelloSamples')).toBeVisible();

    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      viewports.mobile.width,
    );
  });

  for (const [name, viewport] of Object.entries(viewports)) {
    test(`earlier submissions: no part of a row overlaps another, and the summary has the row's width (${name})`, async ({
      page,
    }) => {
      await page.setViewportSize(viewport);
      const student = new StudentPage(page);
      await student.openAssignment('hello');
      // Code with no `hello` at all: the summary is the long, plain sentence of a missing function.
      await student.submit(unique('def hallo():\n    return "Hello"\n'));
      expect(await student.verdict()).toBe('failed');
      await student.submit(unique(WRONG_HELLO));
      expect(await student.verdict()).toBe('failed');

      const rows = page.getByTestId('history').getByRole('listitem');
      await expect(rows).toHaveCount(2);
      for (const row of await rows.all()) {
        const parts = await partsOf(row);
        expect(parts.length).toBeGreaterThanOrEqual(3);
        for (const [i, a] of parts.entries())
          for (const b of parts.slice(i + 1))
            expect(overlap(a, b), `"${a.text}" overlaps "${b.text}"`).toBe(false);
      }
      // The older row carries the long sentence: it gets the row's width, not a squeezed column.
      const older = rows.nth(1);
      const rowBox = (await older.boundingBox())!;
      const summary = (await partsOf(older)).reduce((a, b) => (b.length > a.length ? b : a));
      expect(summary.length, 'the long summary is shown').toBeGreaterThan(60);
      expect(summary.width, 'the summary is not squeezed into a column').toBeGreaterThan(
        rowBox.width * 0.6,
      );
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        viewport.width,
      );
    });
  }

  test('the editor wraps a long line instead of scrolling sideways', async ({ page }) => {
    await page.setViewportSize(viewports.mobile);
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    const long = `def hello():\n    return "Hello"  # ${'a long comment '.repeat(12)}\n`;
    await student.setCode(long);

    const scroller = page.getByTestId('editor').locator('.cm-scroller');
    const { scrollWidth, clientWidth } = await scroller.evaluate((element) => ({
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    const lines = student.editor.locator('.cm-line');
    const first = (await lines.nth(0).boundingBox())!;
    const second = (await lines.nth(1).boundingBox())!;
    expect(second.height, 'the long line takes several rows').toBeGreaterThan(first.height * 2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      viewports.mobile.width,
    );
  });

  test('the handout shows before /api/me answers', async ({ page }) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let meAnswered = false;
    await page.route(
      (url) => url.pathname === apiRoutes.me(),
      async (route) => {
        await held;
        meAnswered = true;
        await route.continue();
      },
    );

    await page.goto(pageRoutes.assignment('hello'));
    await expect(page.getByTestId('handout')).toContainText('hello()');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Assignment 1: Hello');
    expect(meAnswered, 'the handout did not wait for /api/me').toBe(false);

    release();
    await expect(page.getByTestId('points')).toHaveText('0');
  });

  test('after a 429 the box counts down, says the wait is over, then goes', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await page.route(/\/api\/assignments\/[^/]+\/submissions$/, (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 429,
            headers: { 'retry-after': '2', 'content-type': 'application/json' },
            body: JSON.stringify({
              error: { code: 'rate_limited', message: 'Too many submissions.' },
            }),
          })
        : route.continue(),
    );

    await student.submit(WRONG_HELLO);
    await expect(student.problem).toContainText(/You can submit again in [12] seconds?\./);
    await expect(student.problem).toHaveText('You can submit again now.');
    await expect(student.submitButton).toBeEnabled();
    await expect(student.problem).toHaveCount(0, { timeout: 10_000 });
  });

  test('while a submission waits, the history lists it instead of saying there is none', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await expect(page.getByText('You have not submitted this assignment yet.')).toBeVisible();

    // A loop keeps the submission pending for its time limit.
    await student.submit(unique('def hello():\n    while True:\n        pass\n'));
    await expect(student.result).toHaveAttribute('data-status', /^(queued|grading)$/);

    await expect(page.getByTestId('history').getByRole('listitem').first()).toContainText(
      /Waiting to be graded|Grading…/,
    );
    await expect(page.getByText('You have not submitted this assignment yet.')).toHaveCount(0);
    expect(await student.verdict()).toBe('failed');
    await expect(page.getByTestId('history').getByRole('listitem')).toHaveCount(1);
    await expect(page.getByTestId('history').getByRole('listitem').first()).toContainText(
      'Time limit exceeded',
    );
  });

  test('a reused verdict says it is the same code graded before, not "Graded in under 1 ms"', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    const code = unique(WRONG_HELLO);
    await student.submit(code);
    expect(await student.verdict()).toBe('failed');
    await expect(page.getByTestId('timing')).toHaveText(/^Graded in (under 1|\d+) ms\.$/);

    const answered = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && response.url().endsWith('/submissions'),
    );
    await student.submit(code);
    expect((await answered).status(), 'answered from the earlier verdict').toBe(200);
    expect(await student.verdict()).toBe('failed');
    await expect(page.getByTestId('history').getByRole('listitem')).toHaveCount(2);
    await expect(page.getByTestId('timing')).toContainText('This exact code was graded before');
    await expect(page.getByTestId('timing')).not.toContainText('ms');
  });

  test('counts as the mapper gives them: failures first, subtests under their test, skipped as skipped', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await answerSubmitWith(page, {
      tests: [
        {
          name: 'HelloTests.test_cases',
          outcome: 'failed',
          message: "2 subtests failed.\n\n(case=1): 'Hi' != 'Hello'\n\n(case=2): 'Hi' != 'Hello'",
        },
        { name: 'HelloTests.test_later', outcome: 'skipped', message: 'not yet' },
        { name: 'HelloTests.test_returns_text', outcome: 'passed', message: '' },
      ],
    });

    await student.submit(solutionOf('hello'));

    const tests = page.getByTestId('test-result');
    await expect(tests).toHaveCount(3);
    expect(await tests.evaluateAll((items) => items.map((i) => i.dataset['outcome']))).toEqual([
      'failed',
      'skipped',
      'passed',
    ]);
    await expect(tests.nth(0)).toContainText('(case=1)');
    await expect(tests.nth(0)).toContainText('(case=2)');
    await expect(tests.nth(1)).toContainText('Skipped');
    await expect(page.getByTestId('tests-count')).toContainText('1 of 3 passed, 1 skipped');
  });
});
