import { formatValue } from '../format.js';
import type { Predicate, TrendCondition } from '../rule-model.js';
import type { TrendSeries } from './trend.js';

/** `acme` or `acme (region eu)`: the tenant and the key values of a series. */
export function subjectOf(s: TrendSeries): string {
  const keys = Object.entries(s.keyParts)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k} ${v}`);
  return keys.length ? `${s.tenantId} (${keys.join(', ')})` : s.tenantId;
}

/** `sum of impact_amount where impact_type is negative`: what a trend rule measures. */
export function describeMeasure(c: TrendCondition): string {
  const what =
    c.aggregate === 'count'
      ? 'number of events'
      : c.aggregate === 'weighted_mean'
        ? `${c.weight}-weighted mean of ${c.property}`
        : `${c.aggregate} of ${c.property}`;
  const where = c.where?.length ? ` where ${c.where.map(predicateText).join(' and ')}` : '';
  return `${what}${where}`;
}

function predicateText(p: Predicate): string {
  if (p.op === 'exists') return `${p.property} is reported`;
  const value = Array.isArray(p.value) ? p.value.join(', ') : formatValue(p.property, p.value);
  const op = p.op === '==' ? 'is' : p.op === 'in' ? 'is one of' : p.op === 'not_in' ? 'is none of' : p.op;
  return `${p.property} ${op} ${value}`;
}
