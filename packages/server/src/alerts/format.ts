import { cellText } from '../text.js';

const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 0,
  maximumFractionDigits: 2,
});
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

/** `x` rounded to what is shown; a value that rounds to zero (or is −0) is 0, never "−0". */
const settle = (x: number, digits: number): number => {
  const rounded = Number(x.toFixed(digits));
  return rounded === 0 ? 0 : rounded;
};

/** `$12,500` / `$99.5`; money is USD in major units. */
export const formatUsd = (amount: number): string => usd.format(settle(amount, 2));

/** Money properties by their catalog names: impact_amount, savings_amount, total_cost, cost_impact… */
export const isMoney = (property: string): boolean => /(^|_)(amount|cost|impact)$/.test(property);

/** Rate properties (`bounce_rate`…) hold a fraction 0..1, shown as a percentage. */
const isRate = (property: string): boolean => property.endsWith('_rate');

/** A property value for people: money in dollars, rates as percentages, other numbers with separators. */
export function formatValue(property: string, value: unknown): string {
  if (typeof value !== 'number') return value === undefined || value === null ? '—' : cellText(value);
  if (isRate(property)) return `${plain.format(settle(value * 100, 2))} %`;
  if (isMoney(property)) return formatUsd(value);
  return plain.format(settle(value, 4));
}

/** An aggregate of `property` for people: counts are plain, else as formatValue. */
export function formatMeasure(aggregate: string, property: string, value: number | null): string {
  if (value === null) return '—';
  return aggregate === 'count' ? plain.format(settle(value, 4)) : formatValue(property, value);
}

/** `bounce rate` for `bounce_rate`: a property name in words. */
export const propertyLabel = (property: string): string => property.replaceAll('_', ' ');

/** `Bounce rate`: the first letter upper-cased, to start a title. */
export const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** `24 h`, `90 min`, `2 d`: a duration in minutes, in its largest whole unit. */
export function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${plain.format(minutes)} min`;
}

/** `14:05 UTC, 7 Dec`: a moment as people read it in a notification. */
export const formatWhen = (ms: number): string => `${clock.format(ms)} UTC, ${day.format(ms)}`;

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** `2026-03` of an epoch-ms time, UTC: the month a cost run-rate belongs to. */
export const monthOf = (ms: number): string => iso(ms).slice(0, 7);
