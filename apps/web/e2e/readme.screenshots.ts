// `npx nx run web:screenshots`: the README's pictures (home and assignment × light and dark ×
// desktop and mobile) of a student with a history, written to apps/web/dist-screenshots/, which
// git ignores. Copy them to docs/screenshots/ to change the README's. Not part of `npm test`:
// the e2e project checks the same pages (quality.e2e.ts).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, schemes, studentWithHistory, test, viewAs, viewports } from './support/koodi.ts';

const screenshotsDir = fileURLToPath(new URL('../dist-screenshots/', import.meta.url));

for (const [device, viewport] of Object.entries(viewports)) {
  for (const scheme of schemes) {
    test(`screenshots: ${device}, ${scheme}`, async ({ page }, testInfo) => {
      await viewAs(page, viewport, scheme);
      const student = await studentWithHistory(page);
      await expect(page.getByTestId('test-result').first()).toBeVisible();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.mouse.move(0, 0);

      const shots: [string, () => Promise<void>][] = [
        [`assignment-${device}-${scheme}.png`, async () => undefined],
        [
          `home-${device}-${scheme}.png`,
          async () => {
            await student.openHome();
            await expect(page.getByTestId('continue')).toBeVisible();
          },
        ],
      ];
      mkdirSync(screenshotsDir, { recursive: true });
      for (const [name, prepare] of shots) {
        await prepare();
        const path = `${screenshotsDir}${name}`;
        await page.screenshot({ path, fullPage: true, animations: 'disabled' });
        await testInfo.attach(name, { path, contentType: 'image/png' });
      }
    });
  }
}
