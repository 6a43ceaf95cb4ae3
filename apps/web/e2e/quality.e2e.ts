import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import {
  StudentPage,
  expect,
  schemes,
  studentWithHistory,
  test,
  viewAs,
  viewports,
} from './support/koodi.ts';

async function expectNoSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const serious = results.violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(
    serious.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    `axe on ${what}`,
  ).toEqual([]);
}

test.describe('quality', () => {
  for (const scheme of schemes) {
    test(`no serious or critical accessibility violations (${scheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const student = await studentWithHistory(page);
      await expectNoSeriousViolations(page, `the assignment page (${scheme})`);

      await student.openHome();
      await expectNoSeriousViolations(page, `the home page (${scheme})`);
    });
  }

  test('keyboard: skip link first, then the navigation, and the editor can be left with Esc then Tab', async ({
    page,
  }) => {
    const student = new StudentPage(page);
    await student.openAssignment('hello');

    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toBeFocused();

    // Out of the editor, the first stop is Run, then Submit.
    await student.editor.click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('run')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(student.submitButton).toBeFocused();
  });

  test('the handout cannot inject script (case 30)', async ({ page, cspViolations }) => {
    // The content is ours and trusted, so a hostile handout cannot come from the real API:
    // take its real answer and plant the payloads in the markdown on the way to the browser.
    await page.route(/\/api\/assignments\/hello$/, async (route) => {
      const response = await route.fetch();
      const assignment = await response.json();
      assignment.handout +=
        '\n\n<script>window.__koodiPwned = 1</script>\n\n<img src="x" onerror="window.__koodiPwned = 2">\n\n' +
        '[click me](javascript:window.__koodiPwned=3)\n\n<iframe src="javascript:alert(1)"></iframe>\n\n' +
        '<a href="#" onclick="window.__koodiPwned=4">plain link</a>\n';
      await route.fulfill({ response, json: assignment });
    });
    const student = new StudentPage(page);
    await student.openAssignment('hello');

    const handout = page.getByTestId('handout');
    await expect(handout).toContainText('Your task');
    await expect(handout.locator('script, iframe, [onerror], [onclick]')).toHaveCount(0);
    await expect(handout.locator('a[href^="javascript:"]')).toHaveCount(0);
    await handout.getByText('click me').click();
    await handout.getByText('plain link').click();
    expect(
      await page.evaluate(() => (window as unknown as { __koodiPwned?: number }).__koodiPwned),
    ).toBeUndefined();
    // Chromium reports an inline handler to CSP as soon as it is parsed, even inside the
    // sanitiser's inert document where nothing can run; those reports are the second guard working.
    expect(cspViolations.every((v) => v.includes('inline event handler'))).toBe(true);
    cspViolations.length = 0;
  });

  test('the home page’s JavaScript is small and loads after the content', async ({ page }) => {
    const scripts: number[] = [];
    page.on('response', async (response) => {
      if (response.request().resourceType() === 'script')
        scripts.push(
          Number(response.headers()['content-length'] ?? (await response.body()).length),
        );
    });
    await page.goto('/');
    await expect(page.getByRole('list', { name: 'Assignments' })).toBeVisible();

    const html = await (
      await page.request.get('/', { headers: { 'accept-encoding': 'identity' } })
    ).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).toMatch(/<script type="module" src="\/_astro\//);
    const total = scripts.reduce((sum, n) => sum + n, 0);
    expect(total, 'bytes of JavaScript on the home page as sent').toBeLessThan(40 * 1024);
  });

  // The pages a student with a history sees, on each device and in each scheme; the same pages
  // are photographed by `nx run web:screenshots` (readme.screenshots.ts).
  for (const [device, viewport] of Object.entries(viewports)) {
    for (const scheme of schemes) {
      test(`a student's history shows: ${device}, ${scheme}`, async ({ page }) => {
        await viewAs(page, viewport, scheme);
        const student = await studentWithHistory(page);
        await expect(page.getByTestId('test-result').first()).toBeVisible();
        await student.openHome();
        await expect(page.getByTestId('continue')).toBeVisible();
      });
    }
  }
});
