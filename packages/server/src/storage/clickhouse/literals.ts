import type { Sql } from '../../sql.js';

/** A value a ClickHouse statement carries: what the `sql` tag binds, plus lists and instants. */
export type ClickHouseValue = string | number | bigint | boolean | null | Date | readonly ClickHouseValue[];

/** Backslash escapes of a ClickHouse string literal; the rest of the text passes through unchanged. */
const escapes: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};

export function stringLiteral(value: string): string {
  return `'${value.replace(/[\\'\n\r\t\0\b\f]/g, (c) => escapes[c] ?? c)}'`;
}

/** A number as a literal; negative ones in parentheses, so `a-${n}` never reads as a `--` comment. */
export function numberLiteral(value: number | bigint): string {
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new TypeError(`not a finite number: ${value}`);
  const text = String(value);
  return text.startsWith('-') ? `(${text})` : text;
}

/**
 * An instant as a literal: DateTime64(3) where the server has it, else a DateTime, which holds whole
 * seconds only (a value with milliseconds is refused rather than silently truncated).
 */
export function dateTimeLiteral(value: Date, dateTime64: boolean): string {
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new TypeError('not a valid date');
  if (dateTime64) return `toDateTime64(${numberLiteral(ms / 1000)}, 3, 'UTC')`;
  if (ms % 1000 !== 0)
    throw new TypeError(`${value.toISOString()} has milliseconds, which a DateTime cannot hold`);
  return `toDateTime(${numberLiteral(ms / 1000)}, 'UTC')`;
}

export function literal(value: ClickHouseValue, dateTime64 = false): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberLiteral(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return dateTimeLiteral(value, dateTime64);
  if (Array.isArray(value))
    return `[${(value as readonly ClickHouseValue[]).map((v) => literal(v, dateTime64)).join(', ')}]`;
  throw new TypeError(`a ${typeof value} cannot be a ClickHouse value`);
}

function isValue(value: unknown): value is ClickHouseValue {
  if (value === null || value instanceof Date) return true;
  if (Array.isArray(value)) return value.every(isValue);
  return ['string', 'number', 'bigint', 'boolean'].includes(typeof value);
}

/** The type a query parameter is declared with (`{p0:Int64}`), from its JS value. */
function parameterType(value: ClickHouseValue): string {
  if (value === null) return 'Nullable(String)';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'bigint') return 'Int64';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  if (typeof value === 'boolean') return 'UInt8';
  if (value instanceof Date) return "DateTime64(3, 'UTC')";
  const [first] = value;
  return `Array(${first === undefined ? 'String' : parameterType(first)})`;
}

/** What ClickHouse receives: the text, and the parameters it declares (none in literal mode). */
export interface Rendered {
  query: string;
  params: Record<string, unknown>;
}

/**
 * A statement built with the `sql` tag as ClickHouse text. With `parameters` (servers from 19.11) each
 * value becomes a typed query parameter; without (18.x has none), each value is written as an escaped
 * literal by `literal`, the only place values enter the text.
 */
export function render(statement: Sql, options: { parameters: boolean }): Rendered {
  const params: Record<string, unknown> = {};
  let query = statement.strings[0] ?? '';
  statement.values.forEach((value, i) => {
    if (!isValue(value)) throw new TypeError(`a ${typeof value} cannot be a ClickHouse value`);
    if (options.parameters) {
      const name = `p${i}`;
      params[name] = typeof value === 'boolean' ? Number(value) : value;
      query += `{${name}:${parameterType(value)}}`;
    } else {
      query += literal(value);
    }
    query += statement.strings[i + 1] ?? '';
  });
  return { query, params };
}
