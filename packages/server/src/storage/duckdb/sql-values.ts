import { sqlString } from '../../sql-string.js';

/** SQL literals and row readers the DuckDB repositories share. */

/** Epoch milliseconds as a TIMESTAMP literal; null as NULL. */
export const timeLiteral = (ms: number | null): string =>
  ms === null ? 'NULL' : `epoch_ms(${Math.trunc(ms)}::BIGINT)`;

/** A string literal, NUL-safe; null as NULL. */
export const textLiteral = (s: string | null): string => (s === null ? 'NULL' : sqlString(s));

/** A nullable column read back (epoch_ms(…) selects) as a number or null. */
export const msOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
