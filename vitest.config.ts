import { defineConfig } from 'vitest/config';

// Three projects, chosen by where a test file lives and how it is named (docs/testing.md):
//   e2e          *.e2e.test.ts: drives a real Chromium
//   integration  packages/server/test/** and *.integration.test.ts: servers, sockets, DuckDB files, the CLI, processes
//   unit         every other *.test.ts beside the source or in a package's test/: in-process and fast
const e2e = '**/*.e2e.test.ts';
const integration = ['packages/server/test/**/*.test.ts', 'packages/*/{src,test}/**/*.integration.test.ts'];

export default defineConfig({
  resolve: { conditions: ['pulse-source'] },
  ssr: { resolve: { conditions: ['pulse-source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/temp-dirs.ts'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.contract.ts', '**/*.d.ts', 'packages/dashboard/**'],
      reporter: ['text-summary', 'html'],
      reportOnFailure: true,
      reportsDirectory: 'coverage',
      // A floor a little under the measured numbers (90.2 / 81.1 / 90.5 / 92.5 %): raise it when coverage
      // rises, never lower it (docs/testing.md).
      thresholds: { statements: 89, branches: 80, functions: 89, lines: 91 },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: [e2e, ...integration, '**/node_modules/**'],
          globalSetup: ['test/setup/unit.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          exclude: [e2e, '**/node_modules/**'],
          globalSetup: ['test/setup/built.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['packages/*/{src,test}/**/*.e2e.test.ts'],
          globalSetup: ['test/setup/browser.ts'],
        },
      },
    ],
  },
});
