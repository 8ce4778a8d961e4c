import { describe, expect, it } from 'vitest';
import { formatMeasure, formatUsd, formatValue, formatWhen, isMoney, propertyLabel } from './format.js';

describe('alert value formatting', () => {
  it('never prints a negative zero, also for values that round to zero', () => {
    expect(formatUsd(-0)).toBe('$0');
    expect(formatUsd(-0.001)).toBe('$0');
    expect(formatValue('efficiency_score', -0)).toBe('0');
    expect(formatValue('efficiency_score', -0.00001)).toBe('0');
    expect(formatValue('bounce_rate', -0.0000001)).toBe('0 %');
    expect(formatMeasure('count', 'x', -0)).toBe('0');
    expect(formatUsd(-12.5)).toBe('-$12.5');
  });

  it('puts a dollar sign on money properties only', () => {
    expect(
      ['impact_amount', 'savings_amount', 'total_cost', 'cost_impact', 'expected_revenue_impact'].every(
        isMoney,
      ),
    ).toBe(true);
    expect(formatValue('impact_amount', 12_500)).toBe('$12,500');
    expect(formatValue('cost_impact', 99.5)).toBe('$99.5');
    expect(formatValue('efficiency_score', 64)).toBe('64');
    expect(formatValue('utilization_percentage', 75.25)).toBe('75.25');
    expect(formatMeasure('sum', 'impact_amount', 1_000)).toBe('$1,000');
    expect(formatMeasure('count', 'impact_amount', 3)).toBe('3');
  });

  it('shows rates as percentages', () => {
    expect(formatValue('bounce_rate', 0.075)).toBe('7.5 %');
    expect(formatValue('bounce_rate', 0.15000000000000002)).toBe('15 %');
    expect(formatValue('bounce_rate', 1)).toBe('100 %');
  });

  it('writes names and times for people', () => {
    expect(propertyLabel('next_review_date')).toBe('next review date');
    expect(formatWhen(Date.UTC(2026, 11, 7, 14, 5))).toBe('14:05 UTC, 7 Dec');
    expect(formatWhen(Date.UTC(2026, 0, 1, 0, 0))).toBe('00:00 UTC, 1 Jan');
  });
});
