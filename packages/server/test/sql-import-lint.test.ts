import { describe, expect, it } from 'vitest';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';

// Engine SQL is written only in the storage adapters: the lint config refuses the `sql` tag elsewhere.
const rule = '@typescript-eslint/no-restricted-imports';
const eslint = new ESLint();
const ruleFor = async (file: string): Promise<unknown> =>
  ((await eslint.calculateConfigForFile(file)) as { rules: Record<string, unknown> }).rules[rule];

/** The lint config's setting of the rule for `file`, applied to `code` as if it were that file. */
async function importErrors(file: string, code: string): Promise<number> {
  const setting = await ruleFor(file);
  if (setting === undefined) return 0;
  const messages = new Linter().verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { '@typescript-eslint': tseslint.plugin },
        rules: { [rule]: setting as Linter.RuleEntry },
      },
    ],
    file,
  );
  return messages.filter((m) => m.ruleId === rule).length;
}

const importing = [
  "import { sql } from '../sql.js';",
  "import type { SqlValue } from '../../sql.js';",
  "import { sqlString } from '../sql-string.js';",
].join('\n');

describe('the sql tag outside the storage adapters', () => {
  it('is refused in analytics, reports, routes and the engine-neutral storage interfaces', async () => {
    for (const file of [
      'packages/server/src/analytics/planted.ts',
      'packages/server/src/reports/planted.ts',
      'packages/server/src/http/routes/planted.ts',
      'packages/server/src/storage/planted.ts',
      'packages/server/src/main.ts',
    ])
      expect(await importErrors(file, importing), file).toBe(3);
  });

  it('is allowed in the DuckDB, PostgreSQL and ClickHouse adapters', async () => {
    for (const engine of ['duckdb', 'postgres', 'clickhouse']) {
      const file = `packages/server/src/storage/${engine}/planted.ts`;
      expect(await importErrors(file, importing), file).toBe(0);
    }
  });

  it('leaves other imports alone', async () => {
    const code = "import { reports } from '../reports/definitions.js';\nimport { x } from './sql-like.js';";
    expect(await importErrors('packages/server/src/analytics/planted.ts', code)).toBe(0);
  });
});
