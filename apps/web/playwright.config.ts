import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * End-to-end tests drive Debian's Chromium (never a downloaded browser) through NGINX against the
 * real API and grader. BASE_URL points at the running stack (`npm start`, or the one `npm test` starts).
 */
export default defineConfig({
  testDir: here('./e2e'),
  // `nx e2e web` runs the e2e project; `nx run web:screenshots` the screenshots, which write
  // apps/web/dist-screenshots/ (ignored by git) and are no part of `npm test`.
  projects: [
    { name: 'e2e', testMatch: '**/*.e2e.ts' },
    {
      name: 'screenshots',
      testMatch: '**/*.screenshots.ts',
      outputDir: here('../../test-results/web-screenshots'),
    },
  ],
  // Artifacts go to the workspace's top-level test-results/ and playwright-report/, which git and
  // eslint already ignore (the HTML report carries bundled scripts that must not be linted).
  outputDir: here('../../test-results/web-e2e'),
  timeout: 45_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter: [
    ['list'],
    ['html', { outputFolder: here('../../playwright-report/web-e2e'), open: 'never' }],
  ],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://localhost:8080',
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
