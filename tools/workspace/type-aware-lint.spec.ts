// Lint knows the types: a promise nobody handles and a switch that misses a member of its union
// fail `nx lint` in every kind of source file the projects have.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../', import.meta.url).pathname });

// Each text is linted as if it were the (existing) file named, so its own tsconfig types it.
async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${filePath} did not parse`);
  return result.messages.map((m) => m.ruleId ?? '');
}

const FLOATING = [
  'async function later(): Promise<number> {',
  '  return 1;',
  '}',
  'later();',
  'export {};',
  '',
].join('\n');

const NOT_EXHAUSTIVE = [
  "export type Light = 'red' | 'green';",
  'export function go(light: Light): boolean {',
  '  switch (light) {',
  "    case 'green':",
  '      return true;',
  '    default:',
  '      return false;',
  '  }',
  '}',
  '',
].join('\n');

const MISUSED = [
  'async function later(): Promise<void> {}',
  'export const timer = setInterval(later, 1000);',
  '',
].join('\n');

describe('type-aware lint', () => {
  for (const filePath of [
    'apps/api/src/main.ts',
    'apps/grader/src/main.ts',
    'libs/queue/src/index.ts',
    'apps/web/src/lib/session.svelte.ts',
    'tools/stack/test.ts',
    'apps/grader/bench/grader.bench.mts',
  ]) {
    it(`refuses a floating promise, a misused one and a non-exhaustive switch in ${filePath}`, async () => {
      assert.ok(
        (await ruleIds(filePath, FLOATING)).includes('@typescript-eslint/no-floating-promises'),
      );
      assert.ok(
        (await ruleIds(filePath, MISUSED)).includes('@typescript-eslint/no-misused-promises'),
      );
      assert.ok(
        (await ruleIds(filePath, NOT_EXHAUSTIVE)).includes(
          '@typescript-eslint/switch-exhaustiveness-check',
        ),
      );
    });
  }

  it('types the script of a Svelte component', async () => {
    const component = `<script lang="ts">\n${FLOATING.replace('export {};', '')}</script>\n<p>x</p>\n`;
    assert.ok(
      (await ruleIds('apps/web/src/components/points-badge.svelte', component)).includes(
        '@typescript-eslint/no-floating-promises',
      ),
    );
  });

  it('lets node:test collect its own describe and it', async () => {
    const spec = [
      "import { describe, it } from 'node:test';",
      "describe('x', () => {",
      "  it('y', async () => {});",
      '});',
      '',
    ].join('\n');
    assert.deepEqual(await ruleIds('libs/queue/src/lib/redis-list.server.spec.ts', spec), []);
  });
});
