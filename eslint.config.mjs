// Lint is part of the contract: workflow code and src/dag must stay deterministic,
// and a forgotten await in a workflow is a bug, so both are errors here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    // Deterministic code: no Node built-ins, no non-workflow Temporal packages.
    files: ['src/workflows/**/*.ts', 'src/dag/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code and src/dag must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['node:*'], message: 'Workflow code and src/dag must be deterministic: no Node built-ins.' },
            {
              group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common', '!@temporalio/common/*'],
              message: 'Only @temporalio/workflow and @temporalio/common run in the workflow sandbox.',
            },
          ],
        },
      ],
    },
  },
  {
    // The console runs in the browser: it may import the server's types, never Node.
    files: ['console/src/**/*.ts', 'console/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The console is browser code: no Node built-ins.' })),
          patterns: [{ group: ['node:*'], message: 'The console is browser code: no Node built-ins.' }],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
