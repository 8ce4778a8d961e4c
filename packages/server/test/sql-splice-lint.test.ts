import { describe, expect, it } from 'vitest';
import { ESLint, RuleTester, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';

// The rule is plain JS beside eslint.config.js (which loads it); typed here.
const rulePath = '../../../scripts/eslint/no-sql-splice.js';
const { noSqlSplice } = (await import(rulePath)) as { noSqlSplice: Rule.RuleModule };

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser } });
const file = 'packages/server/src/storage/duckdb/planted.ts';

describe('pulse/no-sql-splice', () => {
  tester.run('no-sql-splice', noSqlSplice, {
    valid: [
      { filename: file, code: 'const s = sql`SELECT * FROM users WHERE id = ${id}`;' },
      { filename: file, code: 'const s = `SELECT * FROM ${quote(table)}`;' },
      { filename: file, code: 'const s = `CREATE TABLE ${quote(table)} (${columns})`;' },
      { filename: file, code: 'const message = `${path} is not a store`;' },
      { filename: file, code: "const s = 'SELECT 1 ' + 'FROM x';" },
      {
        filename: 'packages/server/src/storage/duckdb/open-database.ts',
        code: 'function attachSql(path) { return `ATTACH ${sqlString(path)} AS db`; }',
      },
    ],
    invalid: [
      {
        filename: file,
        code: 'const s = `SELECT * FROM users WHERE id = ${sqlString(id)}`;',
        errors: [{ messageId: 'splice' }],
      },
      {
        filename: file,
        code: 'const s = `DELETE FROM t WHERE ${where.join(" AND ")} LIMIT ${n}`;',
        errors: [{ messageId: 'splice' }, { messageId: 'splice' }],
      },
      {
        filename: file,
        code: 'const s = other`SELECT * FROM t WHERE id = ${id}`;',
        errors: [{ messageId: 'splice' }],
      },
      {
        filename: file,
        code: "const s = 'SELECT * FROM t WHERE id = ' + id;",
        errors: [{ messageId: 'concat' }],
      },
      { filename: file, code: 'const at = (ms) => `epoch_ms(${ms})`;', errors: [{ messageId: 'splice' }] },
      { filename: file, code: "const eq = `event = '${name}'`;", errors: [{ messageId: 'splice' }] },
      { filename: file, code: 'const inList = `tenant_id IN (${list})`;', errors: [{ messageId: 'splice' }] },
      {
        // The ATTACH exception is one function, not its file.
        filename: 'packages/server/src/storage/duckdb/open-database.ts',
        code: 'function other(id) { return `SELECT * FROM t WHERE id = ${id}`; }',
        errors: [{ messageId: 'splice' }],
      },
      { filename: file, code: "import { raw } from 'sql-template-tag';", errors: [{ messageId: 'raw' }] },
    ],
  });

  it('is on for the server sources in the lint config', async () => {
    const config = (await new ESLint().calculateConfigForFile('packages/server/src/storage/duckdb/x.ts')) as {
      rules: Record<string, unknown>;
    };
    expect(config.rules['pulse/no-sql-splice']).toEqual([2]);
  });
});
