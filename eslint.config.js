// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { noSqlSplice } from './scripts/eslint/no-sql-splice.js';

const storageEngines = ['@duckdb/node-api', 'pg', '@clickhouse/client'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.pulse/**', 'coverage/**', 'packages/dashboard/public/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify handlers are async by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Configuration is read once, in packages/server/src/config, and injected.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through packages/server/src/config.',
        },
      ],
    },
  },
  {
    // The dashboard runs in browsers and has its own tsconfig (DOM, JSX with Preact); still type-aware and strict.
    files: ['packages/dashboard/**/*.ts', 'packages/dashboard/**/*.tsx'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        project: ['./packages/dashboard/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@pulse/api',
              allowTypeImports: true,
              message:
                'The dashboard takes only types from the API contract: `import type`, no TypeBox in the bundle.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  {
    files: [
      'packages/server/src/config/**',
      'packages/server/bin/**',
      'scripts/**',
      'bench/**',
      '.ci/**',
      'test/setup/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // The SDK ships to customers' backends: only the catalog and posthog-node. The API contract stands alone too.
    files: ['packages/sdk/src/**', 'packages/events/src/**', 'packages/api/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '@pulse/server', 'fastify', ...storageEngines],
              message: 'The SDK and catalog may not depend on server code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Transport and features talk to the store only through storage/event-store.ts, so engines stay swappable.
    files: ['packages/server/src/**'],
    // The database-view sync reads the company's own PostgreSQL as a source, never as Pulse's store.
    ignores: [
      'packages/server/src/storage/duckdb/**',
      'packages/server/src/storage/postgres/**',
      'packages/server/src/storage/clickhouse/**',
      'packages/server/src/main.ts',
      'packages/server/src/sync/read-source.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: storageEngines.map((name) => ({
            name,
            message: 'Only storage adapters may import a storage engine.',
          })),
          patterns: [
            {
              group: ['**/storage/duckdb/**', '**/storage/clickhouse/**', '**/storage/postgres/**'],
              message: 'Import the EventStore interface, not an adapter.',
            },
          ],
        },
      ],
    },
  },
  {
    // Engine SQL is written only inside the storage adapters: the rest of the server reads through the
    // typed store interfaces (storage/*.ts), so another engine can answer the same calls in its own SQL.
    // A rule of its own (not core no-restricted-imports), so it holds where the engine-import rule is off.
    files: ['packages/server/src/**'],
    ignores: [
      'packages/server/src/storage/duckdb/**',
      'packages/server/src/storage/postgres/**',
      'packages/server/src/storage/clickhouse/**',
      'packages/server/src/sql.ts',
      'packages/server/src/sql.test.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/sql.js', '**/sql-string.js'],
              message:
                'Engine SQL belongs in storage/duckdb, storage/postgres or storage/clickhouse: add a method to a store interface in storage/ and call it.',
            },
          ],
        },
      ],
    },
  },
  {
    // SQL values are bound parameters, never spliced (scripts/eslint/no-sql-splice.js lists the exceptions).
    files: ['packages/server/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { pulse: { rules: { 'no-sql-splice': noSqlSplice } } },
    rules: { 'pulse/no-sql-splice': 'error' },
  },
  {
    // Spread arguments go on the call stack one by one: a large array throws "Maximum call stack size exceeded".
    files: ['packages/server/src/**/*.ts', 'packages/dashboard/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(push|unshift)$/] > SpreadElement',
          message:
            'Append in a loop (or build a new array): spreading an unbounded array overflows the stack.',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
