import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const CROSS_PROJECT_RELATIVE = { group: ['../../*'], message: 'Import across projects by alias (@koodi/...).' };

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/out-tsc/**',
      '**/.astro/**',
      '.data/**',
      '.nx/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [CROSS_PROJECT_RELATIVE] }],
    },
  },
  {
    // The in-memory repositories keep the rules only as far as the specs check them, and the
    // testing entries start throwaway servers: never in the running apps.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/testing/**', '**/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            CROSS_PROJECT_RELATIVE,
            { group: ['@koodi/db/testing'], message: 'The @koodi/db/testing fakes are for tests only.' },
            { group: ['@koodi/queue/testing'], message: 'The @koodi/queue/testing helpers are for tests only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.svelte'],
    rules: {
      // The direction of dependencies between projects: web → contracts; api, grader → contracts,
      // db, queue, server (and the grader sandbox); server → contracts, queue; libs never import
      // apps. A forbidden import fails `nx lint`.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['type:contracts'] },
            {
              sourceTag: 'scope:api',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:data', 'type:queue', 'type:server'],
            },
            {
              sourceTag: 'scope:grader',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:data',
                'type:queue',
                'type:server',
                'type:sandbox',
              ],
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:queue', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:sandbox', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:server', onlyDependOnLibsWithTags: ['type:contracts', 'type:queue'] },
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:data', 'type:queue', 'type:sandbox', 'type:tools'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser }, globals: { ...globals.browser } },
  },
  {
    files: ['apps/web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
