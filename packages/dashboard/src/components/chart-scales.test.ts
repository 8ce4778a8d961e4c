import { describe, expect, it } from 'vitest';
import { bucketRange, latestIndex, valueRange } from './chart-scales';

describe('chart scales', () => {
  it('keep zero, both extremes and a margin past each inside the value range', () => {
    expect(valueRange(0, 100)).toEqual([0, 108]);
    expect(valueRange(-25_000, 0)).toEqual([-27_000, 2_000]);
    const [lo, hi] = valueRange(-50, 150);
    expect(lo).toBeLessThan(-50);
    expect(hi).toBeGreaterThan(150);
    expect(valueRange(20, 80)[0]).toBe(0);
    expect(valueRange(null, null)).toEqual([0, 1]);
  });

  it('hold the first and the last bucket whole', () => {
    expect(bucketRange(100, 400, 100)).toEqual([50, 450]);
    expect(bucketRange(100, 100, 100)).toEqual([50, 150]);
  });

  it('find the last value of a column with gaps', () => {
    expect(latestIndex([1, null, 3, null])).toBe(2);
    expect(latestIndex([null, undefined])).toBeNull();
  });
});
