import { stringify } from 'csv-stringify/sync';

/**
 * CSV of a header and rows: the one writer of every export (reports, the audit trail). RFC 4180 (CRLF, a
 * field quoted when it holds a comma, a quote or a line break). Formula injection (OWASP "CSV Injection"):
 * a text cell starting with =, +, -, @, tab or CR (or their full-width forms) gets a leading single quote, so
 * a spreadsheet shows it as text instead of running it. Numbers stay numbers: a number -5 is written -5,
 * the text "-5" as '-5. Booleans are true/false, null and undefined empty, other values JSON.
 */
export function toCsv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([columns, ...rows], {
    record_delimiter: 'windows',
    quote_record_delimiter: true,
    escape_formulas: true,
    cast: {
      boolean: (value) => String(value),
      date: (value) => value.toISOString(),
      object: (value) => JSON.stringify(value),
    },
  });
}
