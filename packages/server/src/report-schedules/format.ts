/** Numbers and times as people read them in a report (en-US, USD); raw values stay in the CSV. */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const usdCompact = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const money = (n: number): string => (Math.abs(n) >= 1e7 ? usdCompact.format(n) : usd.format(n));
export const score = (n: number): string => decimal.format(n);
export const count = (n: number): string => whole.format(n);
/** A 0..1 fraction as a percentage. */
export const rate = (n: number): string => `${decimal.format(n * 100)} %`;
/** A value already in percent. */
export const percent = (n: number): string => `${decimal.format(n)} %`;
/** A relative change (0.05 = +5 %), signed. */
export const change = (n: number): string => `${n > 0 ? '+' : ''}${decimal.format(n * 100)} %`;

export type ValueKind = 'money' | 'score' | 'count' | 'rate' | 'percent' | 'text' | 'date';

const plain = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return value instanceof Date ? value.toISOString() : JSON.stringify(value);
};

/** A table cell for people: formatted by its column's kind, '—' when empty. */
export function cell(value: unknown, kind: ValueKind): string {
  if (value === null || value === undefined || value === '') return '—';
  const text = plain(value);
  if (kind === 'text') return text;
  if (kind === 'date') return dateTime(Date.parse(text));
  const n = Number(value);
  if (!Number.isFinite(n)) return text;
  return { money, score, count, rate, percent }[kind](n);
}

/** A UTC time as "2026-03-02 08:00 UTC". */
export const dateTime = (ms: number): string =>
  Number.isNaN(ms) ? '—' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** A period [from, to) in the schedule's zone, as "2 Mar 2026 – 9 Mar 2026". */
export function periodText(period: { from: number; to: number }, timezone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: timezone });
  return `${f.format(period.from)} – ${f.format(period.to)} (${timezone})`;
}
