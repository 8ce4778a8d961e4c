import { describe, expect, it } from 'vitest';
import { captureDays, compare, dayText } from './impact.js';

const DAY = 86_400_000;

describe('compare', () => {
  it('is stable within the threshold and improving in the better direction beyond it', () => {
    expect(compare(10, 10.4, 'lower', { relative: 0.05 })).toEqual({
      change: expect.closeTo(-0.0385, 3),
      trend: 'stable',
    });
    expect(compare(8, 10, 'lower', { relative: 0.05 })).toEqual({ change: -0.2, trend: 'improving' });
    expect(compare(12, 10, 'lower', { relative: 0.05 })).toEqual({ change: 0.2, trend: 'declining' });
    expect(compare(0.998, 0.9995, 'higher', { absolute: 0.001 }).trend).toBe('declining');
    expect(compare(0.9991, 0.9995, 'higher', { absolute: 0.001 }).trend).toBe('stable');
  });

  it('has no trend without both numbers, and no relative change from zero', () => {
    expect(compare(null, 3, 'higher', { relative: 0.05 })).toEqual({ change: null, trend: null });
    expect(compare(2, 0, 'lower', { relative: 0.05 })).toEqual({ change: null, trend: 'declining' });
  });
});

describe('captureDays', () => {
  it('gives each UTC day to the window holding its end, so adjacent windows share none', () => {
    const from = Date.UTC(2026, 2, 10, 15);
    const to = Date.UTC(2026, 2, 12, 9);
    const current = captureDays({ from, to });
    const previous = captureDays({ from: from - (to - from), to: from });
    expect([dayText(current.first), dayText(current.last)]).toEqual(['2026-03-11', '2026-03-12']);
    expect(dayText(previous.last)).toBe('2026-03-10');
    expect(captureDays({ from: 0, to: 2 * DAY })).toEqual({ first: 0, last: 1 });
  });
});
