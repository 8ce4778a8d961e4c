import { ValidationError } from '../../errors.js';
import { checkAmplifier, type FunctionPolicy } from './sql-guard-functions.js';

/** The relations a query may name: the scoped views, plus the CTEs in scope where it names them. */
export const queryableViews = ['events', 'subscriptions'] as const;

// Everything below is an allowlist over DuckDB's own parse tree (json_serialize_sql): a node kind that is
// not listed is refused with its name, so a construct added by a later DuckDB fails closed.
const queryNodes = new Set(['SELECT_NODE', 'SET_OPERATION_NODE', 'RECURSIVE_CTE_NODE']);
const tableRefs = new Set([
  'BASE_TABLE',
  'JOIN',
  'SUBQUERY',
  'TABLE_FUNCTION',
  'EMPTY',
  'EXPRESSION_LIST',
  'PIVOT',
  'SHOW_REF',
]);
const modifiers = new Set([
  'ORDER_MODIFIER',
  'LIMIT_MODIFIER',
  'LIMIT_PERCENT_MODIFIER',
  'DISTINCT_MODIFIER',
]);
const orderings = new Set(['ORDER_DEFAULT', 'ASCENDING', 'DESCENDING']);
const typeInfos = new Set([
  'DECIMAL_TYPE_INFO',
  'LIST_TYPE_INFO',
  'ARRAY_TYPE_INFO',
  'STRUCT_TYPE_INFO',
  'UNBOUND_TYPE_INFO',
  'STRING_TYPE_INFO',
  'INTEGER_LITERAL_TYPE_INFO',
]);
const expressionClasses = new Set([
  'BETWEEN',
  'CASE',
  'CAST',
  'COLLATE',
  'COLUMN_REF',
  'COMPARISON',
  'CONJUNCTION',
  'CONSTANT',
  'FUNCTION',
  'LAMBDA',
  'LAMBDA_REF',
  'OPERATOR',
  'POSITIONAL_REFERENCE',
  'STAR',
  'SUBQUERY',
  'WINDOW',
]);
// Table functions that only compute: no files, no catalog introspection, no network.
const allowedTableFunctions = new Set(['range', 'generate_series', 'unnest']);

type Node = Record<string, unknown>;
/** CTE names visible at a point of the tree, as DuckDB's binder resolves them. */
type Scope = ReadonlySet<string>;

function fail(problem: string, location?: unknown): never {
  const at = typeof location === 'number' && location < 1e15 ? ` (at character ${location + 1})` : '';
  throw new ValidationError('sql', `${problem}${at}`);
}

const isNode = (value: unknown): value is Node =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function qualifiedName(n: Node, ...keys: string[]): string {
  return keys
    .map((k) => n[k])
    .filter((part) => typeof part === 'string' && part !== '')
    .join('.');
}

class Guard {
  constructor(private readonly functions: FunctionPolicy) {}

  /** Any value of the tree: dispatches on the node's discriminator, refusing kinds it does not know. */
  visit(value: unknown, scope: Scope, insideAmplifier: boolean): void {
    if (Array.isArray(value)) {
      for (const item of value) this.visit(item, scope, insideAmplifier);
      return;
    }
    if (!isNode(value)) return;
    if (typeof value.class === 'string') return this.expression(value, scope, insideAmplifier);
    const type = value.type;
    if (typeof type !== 'string') return this.children(value, scope, insideAmplifier);
    if (queryNodes.has(type)) return this.queryNode(value, scope, insideAmplifier);
    if (tableRefs.has(type)) return this.tableRef(value, scope, insideAmplifier);
    if (modifiers.has(type) || orderings.has(type)) return this.children(value, scope, insideAmplifier);
    if (typeInfos.has(type)) {
      if (type === 'UNBOUND_TYPE_INFO' && qualifiedName(value, 'catalog', 'schema'))
        fail(`may not name the type ${qualifiedName(value, 'catalog', 'schema', 'name')}`);
      return this.children(value, scope, insideAmplifier);
    }
    fail(`uses ${type}, which ad-hoc queries do not support`);
  }

  private children(n: Node, scope: Scope, insideAmplifier: boolean, skip?: string): void {
    for (const [key, child] of Object.entries(n)) if (key !== skip) this.visit(child, scope, insideAmplifier);
  }

  /**
   * A WITH's names are visible in the node that declares them and below it, never beside or above it;
   * inside the list each definition sees only the ones before it, and a recursive CTE sees itself only
   * in its recursive branch.
   */
  private queryNode(n: Node, scope: Scope, insideAmplifier: boolean): void {
    const entries = ((n.cte_map as Node | undefined)?.map ?? []) as { key: string; value: Node }[];
    let inner = new Set(scope);
    for (const entry of entries) {
      const query = (entry.value.query as Node | undefined)?.node;
      if (!isNode(query)) fail(`has a CTE ${entry.key} without a query`);
      this.visit(query, inner, insideAmplifier);
      this.visit(entry.value.key_targets, inner, insideAmplifier);
      inner = new Set(inner).add(entry.key.toLowerCase());
    }
    if (n.type === 'RECURSIVE_CTE_NODE') {
      this.visit(n.left, inner, insideAmplifier);
      this.visit(n.right, new Set(inner).add(String(n.cte_name).toLowerCase()), insideAmplifier);
      this.visit(n.modifiers, inner, insideAmplifier);
      this.visit(n.key_targets, inner, insideAmplifier);
      return;
    }
    this.children(n, inner, insideAmplifier, 'cte_map');
  }

  private tableRef(n: Node, scope: Scope, insideAmplifier: boolean): void {
    switch (n.type) {
      case 'BASE_TABLE': {
        const name = String(n.table_name).toLowerCase();
        if (qualifiedName(n, 'catalog_name', 'schema_name'))
          fail(
            `may read only ${queryableViews.join(' and ')}; it names ${qualifiedName(n, 'catalog_name', 'schema_name', 'table_name')}`,
            n.query_location,
          );
        if (!scope.has(name) && !(queryableViews as readonly string[]).includes(name))
          fail(
            `may read only ${queryableViews.join(' and ')}; it names ${String(n.table_name)}`,
            n.query_location,
          );
        if (n.at_clause) fail('may not read a table AT a version or time', n.query_location);
        return this.visit(n.sample, scope, insideAmplifier);
      }
      case 'TABLE_FUNCTION': {
        const fn = n.function as Node | undefined;
        const name = String(fn?.function_name).toLowerCase();
        if (!fn || qualifiedName(fn, 'catalog', 'schema') || !allowedTableFunctions.has(name))
          fail(
            `may not call the table function ${String(fn?.function_name)}(); allowed: ${[...allowedTableFunctions].join(', ')}`,
            n.query_location,
          );
        this.visit(fn.children, scope, insideAmplifier);
        return this.visit(n.sample, scope, insideAmplifier);
      }
      case 'SHOW_REF':
        // DESCRIBE / SUMMARIZE of a query are checked like the query; SHOW TABLES lists the store's own tables.
        if (!isNode(n.query))
          fail('may not list tables (SHOW); the queryable relations are events and subscriptions');
        return this.visit(n.query, scope, insideAmplifier);
      default:
        return this.children(n, scope, insideAmplifier);
    }
  }

  private expression(n: Node, scope: Scope, insideAmplifier: boolean): void {
    const kind = String(n.class);
    if (!expressionClasses.has(kind)) {
      if (kind === 'PARAMETER') fail('may not use parameters ($1, ?): write the values into the query');
      fail(`uses the expression ${kind}, which ad-hoc queries do not support`, n.query_location);
    }
    if (kind === 'FUNCTION' || (kind === 'WINDOW' && n.type === 'WINDOW_AGGREGATE')) {
      const name = String(n.function_name).toLowerCase();
      // The parser itself qualifies some built-ins (`[1, 2]` is main.list_value); other catalogs are refused.
      if (
        !['', 'system', undefined].includes(n.catalog as string) ||
        !['', 'main', undefined].includes(n.schema as string)
      )
        fail(`may not call ${qualifiedName(n, 'catalog', 'schema', 'function_name')}()`, n.query_location);
      if (!this.functions.isAllowed(name))
        fail(`may not call ${String(n.function_name)}()`, n.query_location);
      const amplifies = checkAmplifier(name, (n.children ?? []) as Node[], (problem) =>
        fail(problem, n.query_location),
      );
      if (amplifies && insideAmplifier)
        fail(`may not nest ${name}() inside another size-multiplying function`, n.query_location);
      return this.children(n, scope, insideAmplifier || amplifies);
    }
    this.children(n, scope, insideAmplifier);
  }
}

/**
 * Checks DuckDB's own parse of the query (json_serialize_sql), not its text: exactly one SELECT, reading
 * only the scoped views or CTEs in scope, through allowlisted node kinds, table functions and functions.
 * Throws ValidationError saying what and where.
 */
export function assertReadOnlySelect(serialized: string, functions: FunctionPolicy): void {
  const parsed = JSON.parse(serialized) as {
    error: boolean;
    error_message?: string;
    statements?: { node?: unknown; named_param_map?: unknown[] }[];
  };
  if (parsed.error) {
    const message = parsed.error_message ?? 'could not be parsed';
    if (/Only SELECT statements/i.test(message))
      fail('must be a single read-only SELECT; statements that write, change settings or PIVOT are refused');
    fail(message);
  }
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) fail(`must be exactly one SELECT statement; got ${statements.length}`);
  const [statement] = statements;
  if (statement?.named_param_map?.length)
    fail('may not use parameters ($1, ?): write the values into the query');
  if (!isNode(statement?.node) || !queryNodes.has(String(statement.node.type)))
    fail('must be a single read-only SELECT');
  new Guard(functions).visit(statement.node, new Set(), false);
}
