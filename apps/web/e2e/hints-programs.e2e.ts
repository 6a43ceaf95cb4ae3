import { StudentPage, expect, solutionOf, test, unique } from './support/koodi.ts';

test.describe('hints one at a time', () => {
  test('reveals hints on request, holds one back until a failed submission, and remembers them', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('fizzbuzz');
    const hints = page.getByTestId('hints');
    const shown = hints.getByTestId('hint');
    await expect(shown).toHaveCount(0);

    await hints.getByRole('button', { name: 'Show a hint (1 of 3)' }).click();
    await expect(shown).toHaveCount(1);
    await expect(shown.first()).toContainText('divides by 3');
    await hints.getByRole('button', { name: 'Show a hint (2 of 3)' }).click();
    await expect(shown).toHaveCount(2);

    // The third waits for a failed submission.
    await expect(hints.getByTestId('hint-held-back')).toHaveText(
      'The next hint opens after 1 more failed submission. Try it yourself first.',
    );
    await expect(hints.getByRole('button', { name: /Show a hint/ })).toHaveCount(0);
    await student.submit(unique('def fizzbuzz(n):\n    return []\n'));
    expect(await student.verdict()).toBe('failed');
    await hints.getByRole('button', { name: 'Show a hint (3 of 3)' }).click();
    await expect(shown).toHaveCount(3);
    await expect(shown.nth(2)).toContainText('n % 15 == 0');

    // Remembered for this student, and nobody else's.
    await page.reload();
    await expect(page.getByTestId('hints').getByTestId('hint')).toHaveCount(3);
    const other = await page.context().browser()!.newPage();
    const stranger = new StudentPage(other);
    await stranger.openAssignment('fizzbuzz');
    await expect(
      other.getByTestId('hints').getByRole('button', { name: 'Show a hint (1 of 3)' }),
    ).toBeVisible();
    await expect(other.getByTestId('hint')).toHaveCount(0);
    await other.close();
  });
});

test.describe('a program that reads input', () => {
  test('is solved end to end: samples as input and output, Run with them and with stdin, then Submit', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('line-sums');

    const samples = page.getByTestId('sample-tests');
    await samples.getByText('Sample tests').click();
    await expect(samples.getByTestId('sample-case')).toHaveCount(2);
    await expect(samples.getByTestId('sample-case').first()).toContainText('Expected output');
    await expect(samples).not.toContainText('"cases"');

    // Run the samples with code that is wrong, then right.
    await student.setCode('print(0)\n');
    await page.getByTestId('run').click();
    const result = page.getByTestId('run-result');
    await expect(result).toHaveAttribute('data-status', 'failed');
    await expect(result).toContainText('0 of 2 sample tests passed.');

    await student.setCode(solutionOf('line-sums'));
    await page.getByText('Input for Run (stdin)').click();
    await page.getByTestId('stdin').fill('10 20 30\n1 1\n');
    await page.getByTestId('run').click();
    await expect(result).toHaveAttribute('data-status', 'passed');
    await expect(result).toContainText('All 2 sample tests passed.');
    await expect(page.getByTestId('run-output')).toHaveText('60\n2');

    await student.submit(unique(solutionOf('line-sums')));
    expect(await student.verdict()).toBe('passed');
  });
});

test.describe('words a beginner understands', () => {
  test('a misspelt function name is said in a plain sentence before any traceback', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('sum');

    await student.submit(unique('def summ(a, b):\n    return a + b\n'));

    expect(await student.verdict()).toBe('failed');
    // The names are shown as code (the backticks of the API's sentence become <code>).
    const detail = student.result.getByTestId('result-detail');
    await expect(detail).toContainText(
      'Your code has no function named sum (it has one named summ).',
    );
    await expect(detail.locator('code')).toHaveText(['sum', 'summ']);
    await expect(detail).toContainText('Check the spelling');
    // The plain sentence comes before the error's own words.
    expect((await detail.textContent())!.indexOf('Your code has no function')).toBeLessThan(
      (await detail.textContent())!.indexOf('ImportError'),
    );
  });
});
