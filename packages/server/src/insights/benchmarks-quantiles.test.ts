import { describe, expect, it } from 'vitest';
import { percentileRank, quantile } from './benchmarks-quantiles.js';

describe('quantile', () => {
  it('interpolates linearly between the nearest ranks, whatever the input order', () => {
    expect(quantile([10, 4], 0.5)).toBe(7);
    expect(quantile([10, 4], 0.9)).toBeCloseTo(9.4, 12);
    expect(quantile([4, 2, 4], 0.5)).toBe(4);
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('percentileRank', () => {
  it('counts the values below plus half the ties', () => {
    expect(percentileRank(1, [1, 2])).toBe(25);
    expect(percentileRank(2, [1, 2])).toBe(75);
    expect(percentileRank(3, [3])).toBe(50);
    expect(percentileRank(2, [1, 2, 2, 3])).toBe(50);
  });
});
