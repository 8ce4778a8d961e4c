import { ValidationError } from '../../errors.js';

/** The relations a query may name: the scoped views, plus its own CTEs. */
export const queryableViews = ['events', 'subscriptions'] as const;

// Table functions that only compute (no files, no catalog introspection, no network).
const allowedTableFunctions = new Set(['range', 'generate_series', 'unnest']);
// Scalar functions that would leak the host or its settings.
const deniedFunctions = new Set(['getenv', 'current_setting', 'read_text', 'read_blob', 'pragma_version']);

type Node = Record<string, unknown>;

function fail(problem: string, location?: unknown): never {
  const at = typeof location === 'number' && location < 1e15 ? ` (at character ${location + 1})` : '';
  throw new ValidationError('sql', `${problem}${at}`);
}

function cteNames(node: unknown, into: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => cteNames(n, into));
  const map = (node as Node).cte_map as { map?: { key: string }[] } | undefined;
  for (const entry of map?.map ?? []) into.add(entry.key.toLowerCase());
  for (const value of Object.values(node)) cteNames(value, into);
}

function walk(node: unknown, ctes: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => walk(n, ctes));
  const n = node as Node;
  if (n.type === 'BASE_TABLE') {
    const name = String(n.table_name).toLowerCase();
    const qualified = n.schema_name || n.catalog_name;
    if (qualified || !(ctes.has(name) || (queryableViews as readonly string[]).includes(name)))
      fail(
        `may read only ${queryableViews.join(' and ')}; it names ${[n.catalog_name, n.schema_name, n.table_name].filter(Boolean).join('.')}`,
        n.query_location,
      );
  }
  if (n.type === 'TABLE_FUNCTION') {
    const fn = (n.function as Node | undefined)?.function_name;
    if (!allowedTableFunctions.has(String(fn).toLowerCase()))
      fail(
        `may not call the table function ${String(fn)}(); allowed: ${[...allowedTableFunctions].join(', ')}`,
        n.query_location,
      );
  }
  if (n.class === 'FUNCTION' && deniedFunctions.has(String(n.function_name).toLowerCase()))
    fail(`may not call ${String(n.function_name)}()`, n.query_location);
  for (const value of Object.values(n)) walk(value, ctes);
}

/**
 * Checks DuckDB's own parse of the query (json_serialize_sql), not its text: exactly one SELECT, reading
 * only the scoped views (or its CTEs), no file/catalog table functions. Throws ValidationError saying why.
 */
export function assertReadOnlySelect(serialized: string): void {
  const parsed = JSON.parse(serialized) as { error: boolean; error_message?: string; statements?: unknown[] };
  if (parsed.error) {
    const message = parsed.error_message ?? 'could not be parsed';
    if (/Only SELECT statements/i.test(message))
      fail('must be a single read-only SELECT; statements that write or change settings are refused');
    fail(message);
  }
  if (parsed.statements?.length !== 1)
    fail(`must be exactly one SELECT statement; got ${parsed.statements?.length ?? 0}`);
  const ctes = new Set<string>();
  cteNames(parsed.statements, ctes);
  walk(parsed.statements, ctes);
}
