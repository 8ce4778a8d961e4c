import type { DuckDBConnection } from '@duckdb/node-api';

/** Which functions an ad-hoc query may call. */
export interface FunctionPolicy {
  isAllowed(name: string): boolean;
}

// Built-ins that read the host, settings, sequences, logs or the catalog, or that only stall a worker.
const deniedFunctions = new Set([
  'getenv',
  'current_setting',
  'getvariable',
  'currval',
  'nextval',
  'setseed',
  'sleep_ms',
  'pg_sleep',
  'write_log',
  'in_search_path',
  'current_database',
  'current_catalog',
  'current_schema',
  'current_schemas',
  'current_query',
  'current_query_id',
  'current_connection_id',
  'current_transaction_id',
  'txid_current',
  'parse_duckdb_log_message',
  'read_text',
  'read_blob',
  'pragma_version',
]);
// DuckDB's SQL macros mostly emulate PostgreSQL's catalog (pg_get_viewdef, has_table_privilege…) and
// expand into catalog reads the guard never sees; only these pure ones are callable.
const pureMacroPattern = /^(list_|array_|map_contains|json|md5_number)/;
const pureMacros = new Set([
  'date_add',
  'ago',
  'geomean',
  'geometric_mean',
  'wavg',
  'weighted_avg',
  'round_even',
  'roundbankers',
  'fmod',
  'fdiv',
  'nullif',
  'split_part',
  'days_in_month',
  'regexp_split_to_table',
  'generate_subscripts',
  'pg_typeof',
  'pg_size_pretty',
]);

/**
 * The callable functions: DuckDB's built-in scalar and aggregate functions less the denied ones, plus
 * the pure macros. Read from the running engine, so the list matches its version.
 */
export async function loadFunctionPolicy(connection: DuckDBConnection): Promise<FunctionPolicy> {
  const rows = (
    await connection.runAndReadAll(
      "SELECT DISTINCT lower(function_name) AS name, function_type AS kind FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro')",
    )
  ).getRowObjectsJS() as { name: string; kind: string }[];
  const allowed = new Set<string>();
  for (const { name, kind } of rows) {
    if (deniedFunctions.has(name) || name.startsWith('__') || name.includes('duckdb')) continue;
    if (kind === 'macro' && !(pureMacroPattern.test(name) || pureMacros.has(name))) continue;
    allowed.add(name);
  }
  // Operators and special forms the parser emits as functions, which duckdb_functions() does not list.
  for (const name of ['count_star', 'struct_pack', 'row', 'list_value', 'try', 'columns', 'unnest'])
    allowed.add(name);
  return { isAllowed: (name) => allowed.has(name) };
}

/** Largest output one size-multiplying call may produce, in characters or list elements. */
export const MAX_AMPLIFIED_SIZE = 10_000;

type Node = Record<string, unknown>;

function constantOf(node: Node | undefined): { value: unknown } | null {
  if (node?.class !== 'CONSTANT') return null;
  const value = node.value as { is_null?: boolean; value?: unknown } | undefined;
  return { value: value?.is_null ? null : value?.value };
}

function constantNumber(node: Node | undefined): number | null {
  const constant = constantOf(node);
  return typeof constant?.value === 'number' ? constant.value : null;
}

function constantText(node: Node | undefined): string | null {
  const constant = constantOf(node);
  return typeof constant?.value === 'string' ? constant.value : null;
}

/**
 * DuckDB does not count these functions' output against memory_limit (measured: 40 rows of
 * repeat('a', 110000000) took 4.7 GB under a 512 MB limit), so their sizes must be known up front:
 * constant size arguments within MAX_AMPLIFIED_SIZE. Returns whether `name` multiplies sizes.
 */
export function checkAmplifier(name: string, args: Node[], fail: (problem: string) => never): boolean {
  const within = (what: string, node: Node | undefined) => {
    const n = constantNumber(node);
    if (n === null || Math.abs(n) > MAX_AMPLIFIED_SIZE)
      fail(`${name}() needs a constant ${what} of at most ${MAX_AMPLIFIED_SIZE}`);
    return Math.abs(n);
  };
  switch (name) {
    case 'repeat': {
      const times = within('count', args[1]);
      const text = constantText(args[0]);
      const unit = text !== null ? text.length : args[0]?.class === 'CONSTANT' ? 1 : null;
      if (unit === null || unit * times > MAX_AMPLIFIED_SIZE)
        fail(`repeat() needs a constant value whose repeated size is at most ${MAX_AMPLIFIED_SIZE}`);
      return true;
    }
    case 'lpad':
    case 'rpad':
    case 'list_resize':
    case 'array_resize':
      within('length', args[1]);
      return true;
    case 'range':
    case 'generate_series': {
      const numbers = args.map(constantNumber);
      if (numbers.some((n) => n === null) || args.length === 0)
        fail(`${name}() as a value needs constant numbers; FROM ${name}(…) streams any range`);
      const [a = 0, b, step = 1] = (args.length === 1 ? [0, ...numbers] : numbers) as number[];
      if (step === 0 || b === undefined || Math.abs((b - a) / step) > MAX_AMPLIFIED_SIZE)
        fail(`${name}() as a value may make at most ${MAX_AMPLIFIED_SIZE} elements`);
      return true;
    }
    case 'printf':
    case 'format': {
      const template = constantText(args[0]);
      const placeholders = name === 'printf' ? /%[^a-zA-Z%]*/g : /\{[^}]*\}/g;
      const widths = (template ?? '').match(placeholders)?.join('').match(/\d+/g) ?? [];
      if (template === null || widths.some((w) => Number(w) > 1000))
        fail(`${name}() needs a constant format whose widths are at most 1000`);
      return true;
    }
    case 'replace': {
      const from = constantText(args[1]);
      const to = constantText(args[2]);
      if (from === null || to === null || to.length > Math.max(from.length, 1) * 16)
        fail(`replace() needs constant strings, the replacement at most 16 times the searched one`);
      return true;
    }
    default:
      return false;
  }
}
