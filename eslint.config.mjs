import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const CROSS_PROJECT_RELATIVE = {
  group: ['../../*'],
  message: 'Import across projects by alias (@koodi/...).',
};

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
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
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
            {
              group: ['@koodi/db/testing'],
              message: 'The @koodi/db/testing fakes are for tests only.',
            },
            {
              group: ['@koodi/queue/testing'],
              message: 'The @koodi/queue/testing helpers are for tests only.',
            },
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
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:data',
                'type:queue',
                'type:server',
              ],
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
            {
              sourceTag: 'type:server',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:queue'],
            },
            {
              sourceTag: 'scope:tools',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:data',
                'type:queue',
                'type:sandbox',
                'type:tools',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its rejection, and a switch over a union
    // must name every member so a new status or verdict cannot fall through unnoticed. Each file
    // is typed by the tsconfig.json nearest to it (the project service); Svelte components too,
    // their script handed over by svelte-eslint-parser. The .astro pages are not linted (no
    // Astro parser is installed): their scripts only import an entry in src/entries, which is.
    files: ['**/*.ts', '**/*.mts', '**/*.svelte'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*/*/bench/*.mts', 'tools/k6/run.ts'] },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test collects these itself and reports their failures.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['apps/web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
