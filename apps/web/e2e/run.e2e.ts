import { StudentPage, expect, solutionOf, test, unique } from './support/koodi.ts';

const WRONG_HELLO = 'def hello():\n    return "Hi"\n';

test.describe('running code against the samples', () => {
  test('Run shows each sample test and the output, and is never a submission', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await expect(page.getByText("Ctrl+'").first()).toBeVisible();

    await student.setCode(`print("trying")\n${WRONG_HELLO}`);
    await page.getByTestId('run').click();

    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-status', 'failed');
    await expect(result).toContainText('0 of 1 sample tests passed.');
    await expect(page.locator('[data-testid="run-test"][data-outcome="failed"]')).toContainText(
      "'Hi' != 'Hello'",
    );
    await expect(page.getByTestId('run-output')).toContainText('trying');

    // The keyboard shortcut, with the code fixed.
    await student.setCode(solutionOf('hello'));
    await page.keyboard.press("ControlOrMeta+'");
    await expect(result).toHaveAttribute('data-status', 'passed');
    await expect(result).toContainText('All 1 sample test passed.');

    // Nothing was submitted: no result, no history, no points.
    await expect(student.result).toHaveCount(0);
    await expect(page.getByText('You have not submitted this assignment yet.')).toBeVisible();
    await expect(student.points).toHaveText('0');
    await page.reload();
    await expect(student.editor).toBeVisible();
    await expect(page.getByText('You have not submitted this assignment yet.')).toBeVisible();
    await expect(page.getByTestId('history')).toHaveCount(0);
  });

  test('Run gives the program the input typed in the stdin box', async ({ page }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    await student.setCode(`name = input()\nprint(f"Hi {name}!")\n${solutionOf('hello')}`);
    await page.getByText('Input for Run (stdin)').click();
    await page.getByLabel('What your program reads with input() when you press Run').fill('Ada\n');

    await page.getByTestId('run').click();

    await expect(page.getByTestId('run-result')).toHaveAttribute('data-status', 'passed');
    await expect(page.getByTestId('run-output')).toHaveText('Hi Ada!');
  });
});

test.describe('history that keeps the code', () => {
  test('an earlier submission shows its code, compares it with the editor, and restores it keeping the draft', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');
    const wrong = unique(WRONG_HELLO);
    await student.submit(wrong);
    expect(await student.verdict()).toBe('failed');
    const right = unique(solutionOf('hello'));
    await student.submit(right);
    // The failed result stays on screen until the new submission replaces it.
    await expect(student.result).toHaveAttribute('data-status', 'passed');
    await expect(page.getByTestId('history').getByRole('listitem')).toHaveCount(2);

    // The older (failed) one, from the history.
    await page
      .getByTestId('history')
      .getByRole('button', { name: /^Show result/ })
      .click();
    await expect(student.result).toHaveAttribute('data-status', 'failed');
    await expect(page.getByTestId('submitted-code-text')).toHaveText(wrong.replace(/\n$/, ''));

    await page.getByRole('button', { name: 'Compare with my current code' }).click();
    const diff = page.getByTestId('code-diff');
    await expect(diff.locator('[data-kind="removed"]').first()).toContainText('return "Hi"');
    await expect(diff.locator('[data-kind="added"]').first()).toContainText('return "Hello"');

    await page.getByTestId('restore-code').click();
    await expect.poll(() => student.code()).toBe(wrong);
    await expect(diff).toContainText('Your current code is the same as this submission.');

    // The code it replaced is kept, and comes back.
    await page.getByTestId('back-to-aside').click();
    await expect.poll(() => student.code()).toBe(right);
    await expect(page.getByTestId('back-to-aside')).toHaveCount(0);
  });
});
