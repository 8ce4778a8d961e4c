import { describe, expect, it } from 'vitest';
import { crossesScore } from './anomaly.js';
import { crossesPercent } from './change-percent.js';
import { MAD_SCALE, madScore, median, percentChange, zScore } from './trend-math.js';

describe('percent change', () => {
  it('is relative to the previous value', () => {
    expect(percentChange(12_400, 4_700)).toBeCloseTo(-62.1, 1);
    expect(percentChange(100, 150)).toBe(50);
    // A negative previous value: the change is still signed by the direction of the move.
    expect(percentChange(-100, -50)).toBe(50);
  });

  it('has a defined answer when the previous value is 0', () => {
    expect(percentChange(0, 0)).toBe(0);
    expect(percentChange(0, 5)).toBe(Infinity);
    expect(percentChange(0, -5)).toBe(-Infinity);
    expect(crossesPercent(Infinity, 50, 'up')).toBe(true);
    expect(crossesPercent(Infinity, 50, 'down')).toBe(false);
    expect(crossesPercent(0, 50, 'either')).toBe(false);
  });

  it('crosses the percent in the asked direction, with hysteresis', () => {
    expect(crossesPercent(-62, 50, 'down')).toBe(true);
    expect(crossesPercent(-62, 50, 'up')).toBe(false);
    expect(crossesPercent(-62, 50, 'either')).toBe(true);
    expect(crossesPercent(-45, 50, 'down')).toBe(false);
    expect(crossesPercent(-45, 50, 'down', 10)).toBe(true);
  });
});

describe('z-score', () => {
  it('uses the mean and the sample standard deviation', () => {
    // mean 5, sample variance (9+1+1+9)/3 = 20/3
    const { score, center, spread } = zScore(11, [2, 4, 6, 8]);
    expect(center).toBe(5);
    expect(spread).toBeCloseTo(Math.sqrt(20 / 3), 12);
    expect(score).toBeCloseTo(6 / Math.sqrt(20 / 3), 12);
  });

  it('scores a constant baseline 0 at its value and ±Infinity elsewhere', () => {
    expect(zScore(3, [3, 3, 3]).score).toBe(0);
    expect(zScore(4, [3, 3, 3]).score).toBe(Infinity);
    expect(zScore(2, [3, 3, 3]).score).toBe(-Infinity);
    expect(zScore(4, [3, 3, 3]).spread).toBe(0);
  });
});

describe('MAD score', () => {
  it('is (x − median) / (1.4826 × MAD)', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // median 100; |deviations| 0,10,10,5,5,0 → MAD 5
    const { score, center, spread } = madScore(1000, [100, 110, 90, 105, 95, 100]);
    expect(center).toBe(100);
    expect(spread).toBeCloseTo(MAD_SCALE * 5, 12);
    expect(score).toBeCloseTo(900 / (MAD_SCALE * 5), 12);
  });

  it('is not moved by one outlier in the baseline as the z-score is', () => {
    const baseline = [10, 11, 9, 10, 10, 500];
    expect(madScore(30, baseline).score).toBeGreaterThan(10);
    expect(zScore(30, baseline).score).toBeLessThan(1);
  });

  it('falls back to the mean absolute deviation when more than half the baseline is the median', () => {
    // median 0, MAD 0; mean |deviation| = 6 / 6 = 1 → spread 1.2533
    const { score, spread } = madScore(5, [0, 0, 0, 0, 2, 4]);
    expect(spread).toBeCloseTo(1.2533, 12);
    expect(score).toBeCloseTo(5 / 1.2533, 12);
    expect(madScore(0, [0, 0, 0]).score).toBe(0);
    expect(madScore(1, [0, 0, 0]).score).toBe(Infinity);
  });

  it('reaches the threshold in the asked direction', () => {
    expect(crossesScore(4.1, 3, 'up')).toBe(true);
    expect(crossesScore(-4.1, 3, 'up')).toBe(false);
    expect(crossesScore(-4.1, 3, 'down')).toBe(true);
    expect(crossesScore(-Infinity, 3, 'either')).toBe(true);
    expect(crossesScore(2.5, 3, 'up', 1)).toBe(true);
  });
});
