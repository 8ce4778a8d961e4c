import { cellText } from '../text.js';

const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 0,
  maximumFractionDigits: 2,
});
const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

/** `$12,500` / `$99.5`; money is USD in major units. */
export const formatUsd = (amount: number): string => usd.format(amount);

/** A property value for people: rates (`*_rate`, 0..1) as percentages, other numbers with separators. */
export function formatValue(property: string, value: unknown): string {
  if (typeof value !== 'number') return value === undefined || value === null ? '—' : cellText(value);
  if (property.endsWith('_rate')) return `${Number((value * 100).toFixed(2))} %`;
  return plain.format(value);
}

/** Money properties by their catalog names: impact_amount, savings_amount, baseline_cost, cost_impact… */
const isMoney = (property: string): boolean => /(^|_)(amount|cost|impact)$/.test(property);

/** An aggregate of `property` for people: dollars for money, else as formatValue (counts are plain). */
export function formatMeasure(aggregate: string, property: string, value: number | null): string {
  if (value === null) return '—';
  if (aggregate === 'count') return plain.format(value);
  return isMoney(property) ? formatUsd(value) : formatValue(property, value);
}

/** `24 h`, `90 min`, `2 d`: a duration in minutes, in its largest whole unit. */
export function formatMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${plain.format(minutes)} min`;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** `2026-03` of an epoch-ms time, UTC: the month a cost run-rate belongs to. */
export const monthOf = (ms: number): string => iso(ms).slice(0, 7);
