// @ts-check
/**
 * ESLint rule pulse/no-sql-splice: SQL carries values only as bound parameters. Statements are built with
 * the `sql` tag (packages/server/src/sql.ts), which binds every interpolated value. This rule reports:
 *  - an untagged template literal that reads as SQL (an upper-case SQL keyword) with a `${}` that is not
 *    an identifier helper call (quote(…), quoteIdentifier(…));
 *  - a `+` joining SQL text to anything but a literal;
 *  - `raw` (sql-template-tag's escape hatch) imported anywhere but packages/server/src/sql.ts.
 * The exceptions are listed below, each with its reason.
 */

const SQL_KEYWORD = /\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES|FROM|JOIN|LIMIT|SET|ATTACH)\b/;
/** SQL fragments without a keyword: a value between SQL quotes, or an argument of a time or reader function. */
const SQL_FRAGMENT =
  /'$|\b(epoch_ms|make_timestamp|to_milliseconds|read_json|json_serialize_sql)\($|\bIN \($/;
const IDENTIFIER_HELPERS = new Set(['quote', 'quoteIdentifier']);
const TAG = 'sql';
const TAG_MODULE = 'packages/server/src/sql.ts';

/** Where splicing stays, by file and enclosing function (none: the whole file), and why. */
export const allowedSplices = [
  {
    file: 'packages/server/src/storage/duckdb/duckdb-query-runner.ts',
    function: 'run',
    reason:
      "runs an analyst's own SQL text (POST /api/query, reports) inside a LIMIT wrapper; sql-guard.ts checks the exact text that runs",
  },
  {
    file: 'packages/server/src/storage/clickhouse/clickhouse-query-runner.ts',
    function: 'run',
    reason:
      "runs an all-tenant analyst's own SQL text (POST /api/query) inside a LIMIT wrapper, with readonly=1",
  },
  {
    file: 'packages/server/src/storage/duckdb/duckdb-query-runner.ts',
    function: 'scopeViews',
    reason: 'a view cannot hold bound parameters: the scope view names its tenants as sqlString literals',
  },
  {
    file: 'packages/server/src/storage/duckdb/sql-guard-functions.ts',
    function: 'checkAmplifier',
    reason: 'builds no SQL: its refusals name SQL functions and FROM',
  },
  {
    file: 'packages/server/src/storage/duckdb/sql-guard.ts',
    reason: 'builds no SQL: its messages name SQL keywords',
  },
  {
    file: 'packages/server/src/sql-string.ts',
    function: 'sqlString',
    reason: 'the one escaping helper (a SQL string literal), for what cannot be bound (ATTACH)',
  },
  {
    file: 'packages/server/src/storage/clickhouse/literals.ts',
    function: 'stringLiteral',
    reason:
      'ClickHouse 18.x has no query parameters: the one escaping helper of a ClickHouse string literal, used by render() for every value',
  },
  {
    file: 'packages/server/src/import/hogql.ts',
    reason:
      "HogQL for PostHog's Query API, not our engine: the text splices only constant conditions and placeholder names; values travel in the query's `values`",
  },
  {
    file: 'packages/server/src/storage/duckdb/open-database.ts',
    function: 'attachSql',
    reason:
      "DuckDB's ATTACH takes no bound parameters (`ATTACH $1` is a parser error): the path goes through sqlString",
  },
];

const enclosingFunction = (/** @type {any} */ node) => {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'FunctionDeclaration' && n.id) return n.id.name;
    if (n.type === 'MethodDefinition' && n.key.type === 'Identifier') return n.key.name;
    if (
      (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression') &&
      n.parent?.type === 'VariableDeclarator' &&
      n.parent.id.type === 'Identifier'
    )
      return n.parent.id.name;
  }
  return null;
};

const isIdentifierHelper = (/** @type {any} */ e) =>
  e.type === 'CallExpression' && e.callee.type === 'Identifier' && IDENTIFIER_HELPERS.has(e.callee.name);

const sqlText = (/** @type {any} */ node) =>
  (node.type === 'Literal' && typeof node.value === 'string' && SQL_KEYWORD.test(node.value)) ||
  (node.type === 'TemplateLiteral' &&
    (SQL_KEYWORD.test(node.quasis.map((/** @type {any} */ q) => q.value.cooked).join('')) ||
      node.quasis.slice(0, -1).some((/** @type {any} */ q) => SQL_FRAGMENT.test(q.value.cooked))));

/** @type {import('eslint').Rule.RuleModule} */
export const noSqlSplice = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL values are bound parameters (the sql tag), never spliced into SQL text' },
    schema: [],
    messages: {
      splice:
        'SQL spliced from `${ {{code}} }`: build the statement with the sql tag (packages/server/src/sql.ts), which binds values; identifiers go through ident()/quote().',
      concat: 'SQL text concatenated with a value: build the statement with the sql tag, which binds values.',
      raw: "sql-template-tag's raw() splices text: only packages/server/src/sql.ts may use it.",
    },
  },
  create(context) {
    const file = context.filename.replace(/\\/g, '/');
    const allowed = (/** @type {any} */ node) => {
      const fn = enclosingFunction(node);
      return allowedSplices.some(
        (a) => file.endsWith(a.file) && (a.function === undefined || a.function === fn),
      );
    };
    return {
      TemplateLiteral(node) {
        const parent = /** @type {any} */ (node).parent;
        if (
          parent?.type === 'TaggedTemplateExpression' &&
          parent.tag.type === 'Identifier' &&
          parent.tag.name === TAG
        )
          return;
        if (!node.expressions.length || !sqlText(node) || allowed(node)) return;
        for (const expression of node.expressions)
          if (!isIdentifierHelper(expression))
            context.report({
              node: expression,
              messageId: 'splice',
              data: { code: context.sourceCode.getText(expression).slice(0, 60) },
            });
      },
      BinaryExpression(node) {
        if (node.operator !== '+' || allowed(node)) return;
        const [a, b] = [node.left, node.right];
        if ((sqlText(a) && b.type !== 'Literal') || (sqlText(b) && a.type !== 'Literal'))
          context.report({ node, messageId: 'concat' });
      },
      ImportDeclaration(node) {
        if (node.source.value !== 'sql-template-tag' || file.endsWith(TAG_MODULE)) return;
        for (const s of node.specifiers)
          if (s.type === 'ImportSpecifier' && s.imported.type === 'Identifier' && s.imported.name === 'raw')
            context.report({ node: s, messageId: 'raw' });
      },
    };
  },
};
