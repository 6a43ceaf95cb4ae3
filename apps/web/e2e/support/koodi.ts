import { expect, test as base } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { pageRoutes } from '@koodi/contracts';
import { solutionOf } from './content.ts';

export { solutionOf };

/**
 * The API answers code it has graded before (from anyone) from the earlier verdict at once; a
 * test that needs a real trip through the queue makes its code unique with a trailing comment.
 */
export function unique(code: string): string {
  return `${code.endsWith('\n') ? code : `${code}\n`}# try ${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}\n`;
}

/**
 * Every test gets a fresh browser context, hence a fresh anonymous student. The page fixture also
 * fails the test when the browser reports a Content-Security-Policy violation.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await use(violations);
      expect(violations, 'CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export class StudentPage {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  get points(): Locator {
    return this.page.getByTestId('points');
  }

  get result(): Locator {
    return this.page.getByTestId('result');
  }

  get problem(): Locator {
    return this.page.getByTestId('problem');
  }

  get submitButton(): Locator {
    return this.page.getByRole('button', { name: 'Submit', exact: true });
  }

  get editor(): Locator {
    return this.page.getByTestId('editor').locator('.cm-content');
  }

  async openHome(): Promise<void> {
    await this.page.goto(pageRoutes.home());
    await expect(this.page.getByRole('list', { name: 'Assignments' })).toBeVisible();
  }

  async openAssignment(slug: string): Promise<void> {
    await this.page.goto(pageRoutes.assignment(slug));
    await expect(
      this.page.getByRole('heading', { level: 1, name: /^Assignment \d+: / }),
    ).toBeVisible();
    await expect(this.editor).toBeVisible();
  }

  /** Replaces the editor's content as if pasted. */
  async setCode(code: string): Promise<void> {
    await this.editor.click();
    await this.page.keyboard.press('ControlOrMeta+a');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.insertText(code);
    await expect.poll(() => this.code()).toBe(code);
  }

  /** The editor's text, line by line as CodeMirror renders it. */
  async code(): Promise<string> {
    const lines = await this.editor
      .locator('.cm-line')
      .evaluateAll((elements) => elements.map((element) => element.textContent ?? ''));
    return lines.map((line) => line.replace(/\u200b/g, '')).join('\n');
  }

  async submit(code?: string): Promise<void> {
    if (code !== undefined) await this.setCode(code);
    await this.submitButton.click();
  }

  /** Waits for the shown submission to reach a final status and answers it. */
  async verdict(): Promise<string> {
    await expect(this.result).toHaveAttribute('data-status', /^(passed|failed|error)$/);
    return (await this.result.getAttribute('data-status')) ?? '';
  }

  async solve(slug: string): Promise<void> {
    await this.openAssignment(slug);
    await this.submit(solutionOf(slug));
    expect(await this.verdict()).toBe('passed');
  }
}

export const schemes = ['light', 'dark'] as const;
export const viewports = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
} as const;

/** The device and scheme to show the pages in, with motion reduced so pictures are stable. */
export async function viewAs(
  page: Page,
  viewport: { width: number; height: number },
  scheme: (typeof schemes)[number],
): Promise<void> {
  await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
}

/** A student with assignment 1 solved and a failed try at assignment 2: every part of the pages shows. */
export async function studentWithHistory(page: Page): Promise<StudentPage> {
  const student = new StudentPage(page);
  await student.solve('hello');
  await student.openAssignment('hello-world');
  await student.submit('def hello_world():\n    return "Hello world"\n');
  expect(await student.verdict()).toBe('failed');
  return student;
}
