import { formatValue, propertyLabel } from '../format.js';
import type { Predicate, TrendCondition } from '../rule-model.js';
import { subjectOf as keySubject } from './evaluator.js';
import type { TrendSeries } from './trend.js';

/** `acme` or `acme (eu)`: the tenant and the key values of a series, as other alert titles name them. */
export function subjectOf(s: TrendSeries): string {
  const keys = keySubject(s.keyParts);
  return keys ? `${s.tenantId} (${keys})` : s.tenantId;
}

/** `total impact amount where impact type is negative`: what a trend rule measures, in words. */
export function describeMeasure(c: TrendCondition): string {
  const what =
    c.aggregate === 'count'
      ? 'number of events'
      : c.aggregate === 'weighted_mean'
        ? `${propertyLabel(c.property)} (weighted by ${propertyLabel(c.weight ?? '')})`
        : `${c.aggregate === 'sum' ? 'total' : 'average'} ${propertyLabel(c.property)}`;
  const where = c.where?.length ? ` where ${c.where.map(predicateText).join(' and ')}` : '';
  return `${what}${where}`;
}

function predicateText(p: Predicate): string {
  const property = propertyLabel(p.property);
  if (p.op === 'exists') return `${property} is reported`;
  const value = Array.isArray(p.value) ? p.value.join(', ') : formatValue(p.property, p.value);
  const op = p.op === '==' ? 'is' : p.op === 'in' ? 'is one of' : p.op === 'not_in' ? 'is none of' : p.op;
  return `${property} ${op} ${value}`;
}

/** `up`, `down`, `either way`: the direction a trend condition fires in. */
export const directionText = (direction: 'up' | 'down' | 'either'): string =>
  direction === 'either' ? 'either way' : direction;
