import { pageRoutes } from '@koodi/contracts';
import { StudentPage, expect, solutionOf, test } from './support/koodi.ts';

test.describe('progress', () => {
  test('a new student starts at assignment 1 with 0 points', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openHome();

    await expect(student.points).toHaveText('0');
    await expect(page.getByTestId('continue')).toHaveText(/Start: Assignment 1/);
    const items = page.getByRole('list', { name: 'Assignments' }).getByRole('listitem');
    await expect(items.nth(0)).toContainText('Assignment 1: Hello');
    await expect(items.nth(0)).toContainText('Next up');
    await expect(items.nth(1)).toContainText('Assignment 2: Hello world');
    await expect(items.nth(2)).toContainText('Assignment 3: Sum');
  });

  test('a reload resumes at the first unsolved assignment', async ({ page }) => {
    const student = new StudentPage(page);
    await student.solve('hello');
    await student.solve('sum');

    await student.openHome();
    await page.reload();

    await expect(student.points).toHaveText('200');
    const continueLink = page.getByTestId('continue');
    await expect(continueLink).toHaveText(/Continue: Assignment 2/);
    const items = page.getByRole('list', { name: 'Assignments' }).getByRole('listitem');
    await expect(items.nth(0)).toContainText('Solved');
    await expect(items.nth(1)).toContainText('Next up');
    await expect(items.nth(2)).toContainText('Solved');

    await continueLink.click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Assignment 2: Hello world');

    // The assignment page without a slug resumes there too.
    await page.goto(pageRoutes.resume());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Assignment 2: Hello world');
    await expect(page).toHaveURL(/[?&]a=hello-world\b/);
  });

  test('two students progress independently', async ({ browser }) => {
    const contextA = await browser.newContext();
    const contextB = await browser.newContext();
    try {
      const a = new StudentPage(await contextA.newPage());
      const b = new StudentPage(await contextB.newPage());

      await a.solve('hello');
      await expect(a.points).toHaveText('100');

      await b.openAssignment('hello');
      await expect(b.points).toHaveText('0');
      await expect(b.page.getByTestId('solved-badge')).toHaveCount(0);
      await b.submit('def hello():\n    return "hello"\n');
      expect(await b.verdict()).toBe('failed');
      await expect(b.points).toHaveText('0');
      await b.solve('hello-world');
      await expect(b.points).toHaveText('100');

      await a.openHome();
      await expect(a.points).toHaveText('100');
      await expect(a.page.getByTestId('continue')).toHaveText(/Continue: Assignment 2/);
      await b.openHome();
      await expect(b.page.getByTestId('continue')).toHaveText(/Continue: Assignment 1/);
    } finally {
      await contextA.close();
      await contextB.close();
    }
  });

  test('the draft is kept per assignment across a reload', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    const draft = 'def hello():\n    # still thinking\n    return "Hell"';
    await student.setCode(draft);
    await expect(page.getByTestId('draft-note')).toHaveText('Draft saved in this browser');

    await page.reload();
    await expect(student.editor).toBeVisible();
    expect(await student.code()).toBe(draft);

    await student.openAssignment('hello-world');
    expect(await student.code()).not.toContain('still thinking');
  });

  test('the latest result is shown again after a reload', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await student.submit(solutionOf('hello'));
    expect(await student.verdict()).toBe('passed');

    await page.reload();

    await expect(student.result).toHaveAttribute('data-status', 'passed');
    await expect(student.result).toContainText('Your submission from');
    await expect(page.getByTestId('solved-badge')).toBeVisible();
    await expect(page.getByTestId('next-assignment')).toBeVisible();
  });
});
