import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ACROSS_PACKAGES = {
  regex: '^(\\.\\./)+(packages/)?(core|aws|kube|cli|action|analysis-provider)/(src|test)/',
  message:
    "Import another package by its name (e.g. '@draingate/core/testing'), not by a relative path into it.",
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'action/dist/**', 'coverage/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Promises that nobody awaits or that are handed to a callback expecting void lose their errors (an
    // unhandled rejection ends the process) and their ordering; these two rules need type information, which
    // tsconfig.test.json gives for every TypeScript file of the workspace.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The repository-level test/ folder drives the packages from outside and may reach into them; a package
    // may not reach into another.
    files: ['packages/**/*.ts', 'action/**/*.ts', 'analysis-provider/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ACROSS_PACKAGES] }] },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts', 'packages/core/src/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ACROSS_PACKAGES,
            {
              group: [
                '@aws-sdk/*',
                '@kubernetes/*',
                'express',
                '@actions/*',
                'node:fs*',
                'node:net',
                'node:http*',
                'node:child_process',
              ],
              message: 'packages/core is pure: do I/O in an adapter or a front end.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Inject time (a Clock or `now`).' },
      ],
    },
  },
);
