/**
 * Figures as people read them in Pulse's tables, on the dashboard and in the HTML and PDF reports alike
 * (en-US, USD, UTC). Each kind of value has one rule, with the same number of decimals for every row of a
 * column; CSV and JSON keep the raw values.
 */

export const valueKinds = ['money', 'score', 'count', 'rate', 'percent', 'text', 'date', 'time'] as const;
export type ValueKind = (typeof valueKinds)[number];

/** A column as people see it: the raw name stays in CSV and JSON, the title heads the table. */
export interface ColumnDisplay {
  name: string;
  title: string;
  kind: ValueKind;
}

const fixed = (digits: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const oneDecimal = fixed(1);
const whole = fixed(0);
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 0,
  maximumFractionDigits: 0,
});
const usdCompact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const calendarDay = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/** Whole dollars ($12,345); from ten million on, abbreviated ($12.3M) so a column stays narrow. */
export const money = (n: number): string => (Math.abs(n) >= 1e7 ? usdCompact.format(n) : usd.format(n));
/** Always abbreviated ($800, $4.2K, $1.5M), for figures read side by side. */
export const compactMoney = (n: number): string => usdCompact.format(n);
/** A score or ratio with one decimal (72.0). */
export const score = (n: number): string => oneDecimal.format(n);
export const count = (n: number): string => whole.format(n);
/** A 0..1 fraction as a percentage with one decimal. */
export const rate = (n: number): string => `${oneDecimal.format(n * 100)} %`;
/** A value already in percent, with one decimal. */
export const percent = (n: number): string => `${oneDecimal.format(n)} %`;
/** A relative change (0.05 = +5.0 %), signed. */
export const change = (n: number): string => `${n > 0 ? '+' : ''}${oneDecimal.format(n * 100)} %`;
/** A UTC calendar day with its year and no time: "Mar 2, 2026". */
export const date = (ms: number): string => (Number.isNaN(ms) ? '—' : calendarDay.format(ms));
/** A UTC time to the minute: "2026-03-02 08:00 UTC". */
export const dateTime = (ms: number): string =>
  Number.isNaN(ms) ? '—' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const plain = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return value instanceof Date ? value.toISOString() : JSON.stringify(value);
};

const numeric = { money, score, count, rate, percent } as const;

/** A table cell for people: formatted by its column's kind, '—' when empty. */
export function cell(value: unknown, kind: ValueKind): string {
  if (value === null || value === undefined || value === '') return '—';
  if (value instanceof Date && (kind === 'date' || kind === 'time'))
    return (kind === 'date' ? date : dateTime)(value.getTime());
  const text = plain(value);
  if (kind === 'text') return text;
  if (kind === 'date') return date(Date.parse(text));
  if (kind === 'time') return dateTime(Date.parse(text));
  const n = Number(value);
  return Number.isFinite(n) ? numeric[kind](n) : text;
}

/** Whether a column's values line up on the right (numbers) or read from the left (text and dates). */
export const alignsRight = (kind: ValueKind): boolean => kind in numeric;
