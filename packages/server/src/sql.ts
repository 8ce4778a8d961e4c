import build, { empty, join, raw, Sql } from 'sql-template-tag';
import { sqlString } from './sql-string.js';

/** A value a statement binds as a parameter. */
export type SqlValue = string | number | bigint | boolean | null;

/**
 * Statements are built with the `sql` tag: every interpolated value becomes a bound parameter ($1, $2, …),
 * never SQL text. What may be interpolated as SQL is only another `sql` fragment, a catalog identifier
 * (`ident`), a list (`join`), or `empty`. `npm run lint` rejects SQL assembled any other way.
 */
export const sql = (strings: readonly string[], ...values: readonly (Sql | SqlValue)[]): Sql =>
  build(strings, ...values);

export { empty, join, Sql };

/** A quoted SQL identifier, for DDL text. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A table or column name from our own catalog as a quoted identifier (identifiers cannot be bound). */
export const ident = (name: string): Sql => raw(quoteIdentifier(name));

/**
 * A constant of a statement's shape (a day's length, a row kind) as a numeric literal, not a parameter:
 * DuckDB matches a GROUP BY expression to its SELECT by text, which two parameters holding one value are
 * not. Only finite numbers, whose decimal form is a plain numeric literal.
 */
export function literal(n: number): Sql {
  if (!Number.isFinite(n)) throw new TypeError(`not a finite number: ${n}`);
  return raw(String(n));
}

/**
 * A string constant of our own code (a catalog enum value such as 'positive') as a SQL string literal, not
 * a parameter: statements run through the query runner are plain text. Never for values from input.
 */
export const constant = (value: string): Sql => raw(sqlString(value));

/** Epoch milliseconds as a TIMESTAMP; null as NULL. */
export const timestamp = (ms: number | null): Sql =>
  sql`epoch_ms(CAST(${ms === null ? null : Math.trunc(ms)} AS BIGINT))`;

/** `column IN (…)` over some values; no values match nothing. */
export const isIn = (column: Sql, values: readonly SqlValue[]): Sql =>
  values.length ? sql`${column} IN (${join(values)})` : sql`FALSE`;

/** A list of strings as one bound parameter (a VARCHAR[]), for lists too long to spell out. */
export const stringList = (values: readonly string[]): Sql =>
  sql`from_json(${JSON.stringify(values)}, '["VARCHAR"]')`;

/**
 * The text of a statement that binds nothing, for an API that takes SQL text only (the query runner);
 * throws if the statement carries values, so none can be spliced this way.
 */
export function textOf(statement: Sql): string {
  if (statement.values.length) throw new TypeError('this statement binds values; run it with them');
  return statement.text;
}
