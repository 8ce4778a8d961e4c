import { describe, expect, it } from 'vitest';
import { efficiencyTrend, moneyTrend } from '../src/trend.js';

describe('moneyTrend (revenue and cost: ±5 % relative)', () => {
  it.each([
    [105, 100, 'stable'], // exactly +5 %
    [105.01, 100, 'improving'],
    [104.99, 100, 'stable'],
    [95, 100, 'stable'], // exactly −5 %
    [94.99, 100, 'declining'],
    [95.01, 100, 'stable'],
    [1_296_296.19, 1_234_567.8, 'stable'], // exactly +5 % of an amount with cents
    [1_296_296.2, 1_234_567.8, 'improving'],
    [1_172_839.41, 1_234_567.8, 'stable'], // exactly −5 %
    [1_172_839.4, 1_234_567.8, 'declining'],
  ] as const)('%d against %d is %s', (current, previous, trend) => {
    expect(moneyTrend(current, previous).trend).toBe(trend);
  });

  it('measures a change against |previous|: a loss shrinking is an improvement', () => {
    expect(moneyTrend(-50, -100)).toStrictEqual({
      trend: 'improving',
      comparison: { current: -50, previous: -100, change: 0.5, basis: 'relative' },
    });
    expect(moneyTrend(-105, -100).trend).toBe('stable');
    expect(moneyTrend(-105.01, -100).trend).toBe('declining');
  });

  it('follows the sign of the current value when the previous one is zero (in cents)', () => {
    expect(moneyTrend(10, 0)).toStrictEqual({
      trend: 'improving',
      comparison: { current: 10, previous: 0, change: null, basis: 'relative' },
    });
    expect(moneyTrend(-0.01, 0).trend).toBe('declining');
    expect(moneyTrend(0, 0).trend).toBe('stable');
    expect(moneyTrend(0.004, 0).trend).toBe('stable'); // under half a cent is zero
    expect(moneyTrend(5, 0.004).trend).toBe('improving');
  });

  it('does not flip on float noise at the boundary', () => {
    // 100 × 1.05 is 105.00000000000001 in floats: still exactly +5 % in cents.
    expect(moneyTrend(100 * 1.05, 100).trend).toBe('stable');
    expect(moneyTrend((0.1 + 0.2) * 350, 100).trend).toBe('stable');
  });
});

describe('efficiencyTrend (absolute ±2 points)', () => {
  it.each([
    [72, 70, 'stable'],
    [72.000001, 70, 'improving'],
    [71.999999, 70, 'stable'],
    [68, 70, 'stable'],
    [67.999999, 70, 'declining'],
    [1, 0, 'stable'], // the zero-previous rule is for relative changes only
    [2.5, 0, 'improving'],
    [72.1, 70.1, 'stable'], // 72.1 − 70.1 is 2.0000000000000142 in floats
  ] as const)('%d against %d is %s', (current, previous, trend) => {
    expect(efficiencyTrend(current, previous).trend).toBe(trend);
  });

  it('is stable with no change when a window has no reading', () => {
    expect(efficiencyTrend(null, 70)).toStrictEqual({
      trend: 'stable',
      comparison: { current: null, previous: 70, change: null, basis: 'absolute' },
    });
    expect(efficiencyTrend(80, null).trend).toBe('stable');
  });
});
